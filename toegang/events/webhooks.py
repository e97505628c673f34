"""Webhooks for partner systems: subscriptions, signed deliveries, retries and a log.

The relay queues a :class:`WebhookAflevering` per matching subscription in the
transaction that marks the event delivered; :func:`deliver_due` (a worker job)
POSTs them. A delivery is signed with HMAC-SHA256 over ``"<timestamp>.<body>"``:

    X-Signature: sha256=<hex>     X-Timestamp: <unix seconds>
    X-Event-Id: <uuid>            X-Event-Type: <event type>

Only event types with a webhook filter (``register_webhook_filter``) are sent, and
only to subscriptions of the organisation the filter names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets as pysecrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie, Doel
from audit.services import record
from toegang.events import registry
from toegang.events.claim import backoff_delay
from toegang.events.models import OutboxEvent, WebhookAbonnement, WebhookAflevering
from toegang.events.secrets import seal, unseal
from toegang.logging import get_logger

log = get_logger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5.0
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def event_body(event: OutboxEvent) -> str:
    """The JSON body partners receive (and NATS carries): ids, version and sequence.

    Without the internal keys (a meting's scores, see ``catalogue.INTERNAL_KEYS``)."""
    from toegang.events.catalogue import INTERNAL_KEYS

    data = {k: v for k, v in (event.payload or {}).items() if k not in INTERNAL_KEYS}
    return json.dumps(
        {
            "event_id": str(event.event_id),
            "sequence": event.pk,
            "event_type": event.event_type,
            "schema_version": event.schema_version,
            "aggregate_type": event.aggregate_type,
            "aggregate_id": event.aggregate_id,
            "version": event.aggregate_version,
            "data": data,
            "occurred_at": event.created_at.isoformat(),
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def sign(secret: str, timestamp: int, body: str) -> str:
    """``sha256=<hex>`` over ``"<timestamp>.<body>"``; partners recompute and compare."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: str, signature: str, *, tolerance: int = 300) -> bool:
    """The partner's check: right signature and a timestamp within ``tolerance`` seconds."""
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def validate_url(url: str) -> None:
    parts = urlsplit(url)
    local_http = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
    if parts.scheme == "https" or (local_http and getattr(settings, "DEMO_MODE", False)):
        return
    raise ValidationError(_("Een webhook-URL moet met https:// beginnen."))


def validate_event_types(event_types: Iterable[str]) -> list[str]:
    names = sorted(set(event_types))
    for name in names:
        registry.get(name)
        if not registry.has_webhook_filter(name):
            raise ValidationError(
                _("Op %(soort)s kan een partner zich niet abonneren.") % {"soort": name}
            )
    return names


@dataclass(frozen=True)
class IssuedAbonnement:
    abonnement: WebhookAbonnement
    secret: str


@transaction.atomic
def webhook_abonnement_create(
    *, organisatie: Any, url: str, event_types: Iterable[str], by: Any
) -> IssuedAbonnement:
    """Create a subscription; the signing secret is returned once and never shown again."""
    validate_url(url)
    abonnement = WebhookAbonnement(
        organisatie=organisatie, url=url, event_types=validate_event_types(event_types)
    )
    secret = "whsec_" + pysecrets.token_urlsafe(32)
    abonnement.secret_sealed = seal(secret, bound_to=str(abonnement.pk))
    abonnement.save()
    record(
        actor=by,
        actie=Actie.CREATE,
        doel=Doel.BEHEER,
        object_type="webhook_abonnement",
        object_id=abonnement.pk,
    )
    return IssuedAbonnement(abonnement=abonnement, secret=secret)


@transaction.atomic
def webhook_abonnement_rotate_secret(*, abonnement: WebhookAbonnement, by: Any) -> str:
    secret = "whsec_" + pysecrets.token_urlsafe(32)
    abonnement.secret_sealed = seal(secret, bound_to=str(abonnement.pk))
    abonnement.save(update_fields=["secret_sealed"])
    record(
        actor=by,
        actie=Actie.UPDATE,
        doel=Doel.BEHEER,
        velden=["secret"],
        object_type="webhook_abonnement",
        object_id=abonnement.pk,
    )
    return secret


def enqueue_deliveries(events: Sequence[OutboxEvent]) -> int:
    """Queue one delivery per matching active subscription (inside the relay's transaction)."""
    wanted = [e for e in events if registry.has_webhook_filter(e.event_type)]
    if not wanted:
        return 0
    organisaties = {e.pk: registry.webhook_organisatie(e) for e in wanted}
    subs = list(
        WebhookAbonnement.objects.filter(
            active=True, organisatie_id__in={o for o in organisaties.values() if o}
        )
    )
    rows = [
        WebhookAflevering(
            abonnement=sub, event_id=e.event_id, event_type=e.event_type, body=event_body(e)
        )
        for e in wanted
        for sub in subs
        if str(sub.organisatie_id) == organisaties[e.pk] and e.event_type in sub.event_types
    ]
    WebhookAflevering.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer, not an invitation to post elsewhere


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, *, body: str, secret: str, event_id: str, event_type: str) -> int:
    """POST one signed delivery; returns the HTTP status (raises on network errors)."""
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (https, or loopback in the demo)
        url,
        data=body.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "BredeToegang-Webhook/1",
            "X-Signature": sign(secret, timestamp, body),
            "X-Timestamp": str(timestamp),
            "X-Event-Id": event_id,
            "X-Event-Type": event_type,
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _claim(batch: int) -> list[WebhookAflevering]:
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            WebhookAflevering.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("abonnement")
            .filter(status=WebhookAflevering.Status.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .order_by("id")[:batch]
        )
        WebhookAflevering.objects.filter(pk__in=[r.pk for r in rows]).update(
            claimed_until=now + timedelta(seconds=TIMEOUT_SECONDS * 3)
        )
    return rows


def _attempt(row: WebhookAflevering) -> None:
    sub = row.abonnement
    started = time.monotonic()
    status: int | None = None
    error = ""
    try:
        secret = unseal(sub.secret_sealed, bound_to=str(sub.pk))
        status = post(
            sub.url,
            body=row.body,
            secret=secret,
            event_id=str(row.event_id),
            event_type=row.event_type,
        )
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except Exception as exc:
        error = type(exc).__name__
    row.attempts += 1
    row.response_status = status
    row.duration_ms = int((time.monotonic() - started) * 1000)
    row.claimed_until = None
    row.last_error = error[:200]
    if not error:
        row.status = WebhookAflevering.Status.DELIVERED
        row.delivered_at = timezone.now()
    elif row.attempts >= MAX_ATTEMPTS or not sub.active:
        row.status = WebhookAflevering.Status.FAILED
    else:
        row.next_attempt_at = timezone.now() + backoff_delay(row.attempts, base=5.0, cap=3600.0)
    row.save()
    log.info("webhook_attempt", aflevering_id=row.pk, status=status, error=error or None)


def deliver_due(*, batch: int = 20) -> int:
    """Try the due deliveries once; returns how many were attempted."""
    rows = _claim(batch)
    for row in rows:
        _attempt(row)
    return len(rows)


def webhook_aflevering_retry(*, afleveringen: Iterable[WebhookAflevering]) -> int:
    return WebhookAflevering.objects.filter(pk__in=[a.pk for a in afleveringen]).update(
        status=WebhookAflevering.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
