"""Catch-up for a websocket that was away: the delivered events it missed and may see now.

Sequence ids are handed out at insert, not at commit, so a long transaction can
commit an event with a *lower* id after the client already saw a higher one. The
catch-up therefore returns every delivered event with ``id > after`` **and** every
event delivered since the ``after`` event was (minus a few seconds' slack for
concurrent relays). The client drops ids it has already seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from toegang.events import registry
from toegang.events.models import OutboxEvent
from toegang.events.outbox import relay_settings
from toegang.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class CatchUp:
    events: list[OutboxEvent]
    #: The cursor the client may keep after applying ``events``.
    latest: int
    #: True when more was missed than one catch-up returns: refresh the page instead.
    overflow: bool


def latest_delivered_id() -> int:
    found = (
        OutboxEvent.objects.filter(status=OutboxEvent.Status.DELIVERED)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return int(found or 0)


def events_missed(*, user_id: int, after: int, limit: int | None = None) -> CatchUp:
    """The delivered events after cursor ``after`` that ``user_id`` may see at this moment."""
    config = relay_settings()
    limit = limit or int(config["catch_up_limit"])
    now = timezone.now()
    latest = latest_delivered_id()
    window = OutboxEvent.objects.filter(
        status=OutboxEvent.Status.DELIVERED,
        delivered_at__gte=now - timedelta(hours=config["catch_up_max_age_hours"]),
    )
    anchor = OutboxEvent.objects.filter(pk=after, delivered_at__isnull=False).first()
    missed = Q(pk__gt=after)
    if anchor is not None and anchor.delivered_at is not None:
        since = anchor.delivered_at - timedelta(seconds=config["catch_up_slack_seconds"])
        missed |= Q(pk__lt=after, delivered_at__gt=since)
    elif after and not OutboxEvent.objects.filter(pk__lte=after).exists():
        # The cursor is older than the retention: we cannot know what was missed.
        return CatchUp(events=[], latest=latest, overflow=True)
    rows = list(window.filter(missed).order_by("id")[: limit + 1])
    overflow = len(rows) > limit
    visible: list[OutboxEvent] = []
    for row in rows[:limit]:
        try:
            if user_id in registry.recipients_for(row):
                visible.append(row)
        except Exception as exc:
            log.warning("catch_up_recipients_failed", event_id=row.pk, error=type(exc).__name__)
    return CatchUp(events=visible, latest=max([latest, after]), overflow=overflow)
