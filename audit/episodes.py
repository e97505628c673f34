"""One noodtoegang from start to end, from the trail alone.

A noodtoegang starts with its ``noodtoegang`` record (user, casus, reason) and
holds every record flagged ``noodtoegang`` about the same household by that
user (what they opened) or by the system on their behalf (the end, when the
access expired), up to the user's next noodtoegang on that household.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie, AuditRecord

_START = ("id", "occurred_at", "user_id", "username", "object_id", "huishouden_id", "reden")
_MEMBER = ("id", "occurred_at", "user_id", "trigger_user_id", "huishouden_id", "object_type")


def _duration() -> timedelta:
    return timedelta(hours=int(getattr(settings, "NOODTOEGANG_UREN", 4)))


@dataclass
class Episode:
    record_id: int
    started_at: datetime
    user_id: int | None
    username: str
    casus_id: str
    huishouden_id: Any
    reden: str
    ended_at: datetime | None = None
    #: Object type -> how many times it was opened during the noodtoegang.
    geopend: dict[str, int] = field(default_factory=dict)
    record_ids: list[int] = field(default_factory=list)

    @property
    def lopend(self) -> bool:
        return self.ended_at is None and timezone.now() < self.started_at + _duration()

    @property
    def duur(self) -> timedelta:
        end = self.ended_at or min(timezone.now(), self.started_at + _duration())
        return end - self.started_at

    @property
    def duur_tekst(self) -> str:
        minutes = int(self.duur.total_seconds() // 60)
        return _("%(uur)d uur %(min)d min") % {"uur": minutes // 60, "min": minutes % 60}


def episodes(*, since: datetime, start_id: int | None = None) -> list[Episode]:
    """The noodtoegangen started since ``since`` (or the one of record ``start_id``)."""
    starts = AuditRecord.objects.filter(actie=Actie.NOODTOEGANG, occurred_at__gte=since)
    if start_id is not None:
        starts = starts.filter(pk=start_id)
    found = [
        Episode(
            record_id=rid,
            started_at=at,
            user_id=uid,
            username=name,
            casus_id=casus_id,
            huishouden_id=hh,
            reden=reden,
        )
        for rid, at, uid, name, casus_id, hh, reden in starts.order_by("id").values_list(*_START)
    ]
    if not found:
        return []
    per_key: dict[tuple[Any, Any], list[Episode]] = defaultdict(list)
    for episode in found:
        per_key[(episode.user_id, episode.huishouden_id)].append(episode)
    users = {e.user_id for e in found if e.user_id is not None}
    members = (
        AuditRecord.objects.filter(
            noodtoegang=True,
            occurred_at__gte=found[0].started_at,
            huishouden_id__in={e.huishouden_id for e in found},
        )
        .filter(Q(user_id__in=users) | Q(user_id__isnull=True, trigger_user_id__in=users))
        .exclude(actie=Actie.NOODTOEGANG)
        .order_by("id")
        .values_list(*_MEMBER)
    )
    for rid, at, uid, trigger, hh, soort in members.iterator(chunk_size=2000):
        candidates = per_key.get((uid if uid is not None else trigger, hh), [])
        owner = next((e for e in reversed(candidates) if e.record_id < rid), None)
        if owner is None or owner.ended_at is not None:
            continue
        owner.record_ids.append(rid)
        if uid is None:
            owner.ended_at = at  # the system ended it
        else:
            owner.geopend[soort or "?"] = owner.geopend.get(soort or "?", 0) + 1
    return found
