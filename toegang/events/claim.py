"""Claiming outbox rows: exclusive, in sequence order, never ahead of an aggregate's earlier event.

PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` inside a short transaction that
stamps a lease (``claimed_by``/``claimed_until``), so several relays share the work
and a crashed relay's rows come back when its lease runs out. SQLite serialises
writers, so the same code is a simple ordered claim there.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from toegang.events.models import OutboxEvent

PENDING = OutboxEvent.Status.PENDING


def _blocked_by_earlier(owner: str) -> Exists:
    """An earlier pending event of the same aggregate that someone else holds or that waits."""
    now = timezone.now()
    return Exists(
        OutboxEvent.objects.filter(
            status=PENDING,
            aggregate_type=OuterRef("aggregate_type"),
            aggregate_id=OuterRef("aggregate_id"),
            id__lt=OuterRef("id"),
        ).filter(Q(next_attempt_at__gt=now) | (Q(claimed_until__gt=now) & ~Q(claimed_by=owner)))
    )


def _aggregate_prefixes(rows: Sequence[OutboxEvent]) -> list[OutboxEvent]:
    """Keep, per aggregate, only the rows that form an unbroken prefix of its pending rows.

    Two relays may lock interleaved rows of one aggregate at the same moment; the
    one that lacks the earliest row drops the later ones instead of overtaking.
    """
    if not rows:
        return []
    last: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.aggregate_type, row.aggregate_id)
        last[key] = max(last.get(key, 0), row.pk)
    # A few IN lists, then the exact aggregates in Python: an OR of one term per
    # aggregate cost more to build and compile than the query took to run.
    pending: dict[tuple[str, str], list[int]] = defaultdict(list)
    for aggregate_type, aggregate_id, pk in (
        OutboxEvent.objects.filter(
            status=PENDING,
            aggregate_type__in={key[0] for key in last},
            aggregate_id__in={key[1] for key in last},
            id__lte=max(last.values()),
        )
        .order_by("id")
        .values_list("aggregate_type", "aggregate_id", "id")
    ):
        key = (aggregate_type, aggregate_id)
        if pk <= last.get(key, 0):
            pending[key].append(pk)
    mine = {row.pk for row in rows}
    keep: set[int] = set()
    for ids in pending.values():
        for pk in ids:
            if pk not in mine:
                break
            keep.add(pk)
    return [row for row in rows if row.pk in keep]


def claim_batch(*, owner: str, batch_size: int, lease: timedelta) -> list[OutboxEvent]:
    """Claim up to ``batch_size`` deliverable rows for ``owner``, in sequence order.

    Rows that ``owner`` itself still holds count as free: a relay runs one round at a
    time, so they are left over from a round that failed before it could release them.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboxEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=owner))
            .filter(~_blocked_by_earlier(owner))
            .order_by("id")[:batch_size]
        )
        rows = _aggregate_prefixes(rows)
        if rows:
            OutboxEvent.objects.filter(pk__in=[row.pk for row in rows]).update(
                claimed_by=owner, claimed_until=now + lease
            )
    for row in rows:
        row.claimed_by = owner
        row.claimed_until = now + lease
    return rows


def renew(ids: Sequence[int], *, owner: str, lease: timedelta) -> None:
    """Extend ``owner``'s lease on rows it is still working on."""
    if ids:
        OutboxEvent.objects.filter(pk__in=ids, claimed_by=owner).update(
            claimed_until=timezone.now() + lease
        )


def backoff_delay(attempts: int, *, base: float, cap: float) -> timedelta:
    """Exponential backoff with ±20 % jitter: base, 2·base, 4·base ... up to ``cap``."""
    seconds = min(cap, base * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311  # nosec B311  # retry jitter, not a secret


def mark_failed(
    row: OutboxEvent, *, owner: str, error: str, max_attempts: int, base: float, cap: float
) -> None:
    """One more failed attempt: back off, or dead-letter after ``max_attempts``."""
    attempts = row.attempts + 1
    fields: dict[str, object] = {
        "attempts": attempts,
        "last_error": error[:200],
        "claimed_by": "",
        "claimed_until": None,
    }
    if attempts >= max_attempts:
        fields["status"] = OutboxEvent.Status.DEAD
    else:
        fields["next_attempt_at"] = timezone.now() + backoff_delay(attempts, base=base, cap=cap)
    OutboxEvent.objects.filter(pk=row.pk, claimed_by=owner).update(**fields)


def release(ids: Sequence[int], *, owner: str) -> None:
    """Give rows back unattempted (an earlier event of their aggregate failed)."""
    if ids:
        OutboxEvent.objects.filter(pk__in=ids, claimed_by=owner).update(
            claimed_by="", claimed_until=None
        )
