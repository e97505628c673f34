"""Writing events: :func:`emit` inside the caller's transaction, and the outbox's upkeep."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import Actie, Doel
from audit.services import record
from toegang.events import registry
from toegang.events.models import OutboxEvent
from toegang.inserts import insert
from toegang.logging import get_logger

log = get_logger(__name__)

#: The PostgreSQL channel the relay LISTENs on.
NOTIFY_CHANNEL = "toegang_outbox"
#: Namespace of the per-aggregate advisory locks (first key of the two-key form).
_LOCK_NAMESPACE = 7207


class EmitOutsideTransactionError(RuntimeError):
    """``emit`` was called outside ``transaction.atomic``: the event could outlive a rollback."""


def emit(
    event_type: str,
    *,
    aggregate_type: str,
    aggregate_id: Any,
    version: int,
    data: Mapping[str, Any] | None = None,
    using: str = DEFAULT_DB_ALIAS,
    created_in_this_transaction: bool = False,
) -> OutboxEvent:
    """Write one event to the outbox, in the caller's transaction.

    ``created_in_this_transaction``: the aggregate was inserted by this transaction,
    so no other one can emit about it before commit and the per-aggregate lock is moot.

    Raises :class:`~toegang.events.registry.UnknownEventTypeError`, or
    :class:`~toegang.events.registry.InvalidEventPayloadError` for a key the event does
    not declare or a value that is not an id, so personal data cannot slip in.
    """
    definition = registry.get(event_type)
    if aggregate_type != definition.aggregate_type:
        raise registry.InvalidEventPayloadError(
            f"{event_type} is about a {definition.aggregate_type!r}, not a {aggregate_type!r}"
        )
    payload = definition.clean_payload(data)
    aggregate_key = registry.clean_aggregate_id(aggregate_id)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise registry.InvalidEventPayloadError(f"{event_type}: version must be an integer >= 0")
    connection = connections[using]
    if not connection.in_atomic_block:
        raise EmitOutsideTransactionError(
            f"emit({event_type!r}) must run inside the service's transaction.atomic block"
        )
    if connection.vendor == "postgresql" and not created_in_this_transaction:
        # Serialise emitters of one aggregate until commit, so the sequence order of
        # an aggregate's events is also their commit order (the relay relies on it).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                [_LOCK_NAMESPACE, f"{aggregate_type}:{aggregate_key}"],
            )
    event = OutboxEvent(
        event_type=event_type,
        schema_version=definition.schema_version,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_key,
        aggregate_version=version,
        payload=payload,
    )
    insert(event, using=using)
    if connection.vendor == "postgresql":
        _notify_on_commit(using)
    return event


def _notify_relay(using: str = DEFAULT_DB_ALIAS) -> None:
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    except Exception as exc:  # the relay's polling picks the row up anyway
        log.warning("outbox_notify_failed", error=type(exc).__name__)


def _notify_on_commit(using: str) -> None:
    """Once per transaction: wake the relays after commit (polling is the fallback)."""
    connection = connections[using]
    if any(getattr(item[1], "_outbox_notify", False) for item in connection.run_on_commit):
        return

    def notify() -> None:
        _notify_relay(using)

    notify._outbox_notify = True  # type: ignore[attr-defined]
    transaction.on_commit(notify, using=using)


def relay_settings() -> dict[str, Any]:
    defaults: dict[str, Any] = {
        # "fanout": one message per event per server process (see toegang.realtime.hub);
        # "groups": one message per recipient to its ``user.<id>`` group.
        "delivery": "fanout",
        "batch_size": 100,
        # A crashed relay's rows come back after this; a live relay renews it (relay.py).
        "lease_seconds": 5.0,
        "max_attempts": 10,
        "backoff_base": 1.0,
        "backoff_cap": 300.0,
        "send_timeout": 5.0,
        "retention_days": 7,
        "catch_up_limit": 500,
        "catch_up_slack_seconds": 5.0,
        "catch_up_max_age_hours": 24,
    }
    defaults.update(getattr(settings, "EVENTS", {}))
    return defaults


@transaction.atomic
def outbox_replay(*, events: QuerySet[OutboxEvent] | Iterable[OutboxEvent], by: Any) -> int:
    """Send dead (or delivered) events again: back to pending with fresh attempts."""
    ids = [event.pk for event in events]
    count = (
        OutboxEvent.objects.filter(pk__in=ids)
        .exclude(status=OutboxEvent.Status.PENDING)
        .update(
            status=OutboxEvent.Status.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_by="",
            claimed_until=None,
            last_error="",
        )
    )
    record(
        actor=by,
        actie=Actie.UPDATE,
        doel=Doel.BEHEER,
        object_type="outbox_event",
        object_ids=ids,
        velden=["status"],
        reden="replay",
    )
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        _notify_on_commit(DEFAULT_DB_ALIAS)
    log.info("outbox_replayed", count=count)
    return count


def outbox_prune(*, older_than: timedelta | None = None) -> int:
    """Delete delivered events past the retention (catch-up only needs recent ones)."""
    days = relay_settings()["retention_days"]
    cutoff = timezone.now() - (older_than if older_than is not None else timedelta(days=days))
    old = OutboxEvent.objects.filter(
        status=OutboxEvent.Status.DELIVERED,
        delivered_at__lt=cutoff,
        projected_at__isnull=False,  # not before the monitor's projection has it
    )
    if getattr(settings, "NATS_URL", ""):
        old = old.filter(published_at__isnull=False)  # not before NATS has it
    deleted = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:1000])
        if not ids:
            return deleted
        deleted += OutboxEvent.objects.filter(pk__in=ids).delete()[0]
