"""The privacy officer's review queue and the service that marks an item reviewed.

Three kinds of item, each with a stable key (records never change):

* every noodtoegang record: ``noodtoegang:<record id>``;
* a burst of denied attempts, at least ``AUDIT_DENIED_BURST`` (5) by one user
  (or, without a user, one IP address) within ``AUDIT_DENIED_WINDOW_MINUTES``
  (10): ``weigeringen:<first record id>``;
* unusual volume, a user reading more distinct objects in one day than
  ``AUDIT_VOLUME_THRESHOLD`` (50): ``volume:<user id>:<date>``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie, AuditRecord, AuditReview, Doel, ReviewSoort, Uitkomst
from audit.services import record


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass
class ReviewItem:
    soort: str
    sleutel: str
    occurred_at: datetime
    username: str
    user_id: int | None
    aantal: int
    record_id: int | None = None
    reden: str = ""
    review: AuditReview | None = None

    @property
    def soort_label(self) -> str:
        return str(ReviewSoort(self.soort).label)


def _noodtoegang(since: datetime, upto_id: int | None = None) -> list[ReviewItem]:
    records = AuditRecord.objects.filter(Q(noodtoegang=True) | Q(actie=Actie.NOODTOEGANG))
    if upto_id is not None:
        records = records.filter(pk=upto_id)
    rows = (
        records.filter(occurred_at__gte=since)
        .order_by("-occurred_at")
        .values_list("id", "occurred_at", "username", "user_id", "reden")
    )
    return [
        ReviewItem(ReviewSoort.NOODTOEGANG, f"noodtoegang:{rid}", at, name, uid, 1, rid, reden)
        for rid, at, name, uid, reden in rows
    ]


def _denied_bursts(since: datetime, user_id: int | None = None) -> list[ReviewItem]:
    size = _setting("AUDIT_DENIED_BURST", 5)
    window = timedelta(minutes=_setting("AUDIT_DENIED_WINDOW_MINUTES", 10))
    per_subject: dict[Any, list[tuple[int, datetime, str, int | None]]] = defaultdict(list)
    denied = AuditRecord.objects.filter(uitkomst=Uitkomst.DENIED, occurred_at__gte=since)
    if user_id is not None:
        denied = denied.filter(user_id=user_id)
    rows = denied.order_by("occurred_at", "id").values_list(
        "id", "occurred_at", "username", "user_id", "ip_adres"
    )
    for rid, at, name, uid, ip in rows.iterator(chunk_size=2000):
        per_subject[uid if uid is not None else f"ip:{ip}"].append((rid, at, name, uid))
    items = []
    for denials in per_subject.values():
        start = 0
        while start + size <= len(denials):
            if denials[start + size - 1][1] - denials[start][1] > window:
                start += 1
                continue
            end = start + size
            while end < len(denials) and denials[end][1] - denials[end - 1][1] <= window:
                end += 1
            rid, at, name, uid = denials[start]
            items.append(
                ReviewItem(
                    ReviewSoort.WEIGERINGEN, f"weigeringen:{rid}", at, name, uid, end - start, rid
                )
            )
            start = end
    return items


def _volume_of_day(day: date, threshold: int, user_id: int | None = None) -> list[ReviewItem]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    reads = AuditRecord.objects.filter(
        actie=Actie.READ, occurred_at__gte=start, occurred_at__lt=end, user_id__isnull=False
    ).exclude(object_id="")
    if user_id is not None:
        reads = reads.filter(user_id=user_id)
    rows = (
        reads.values("user_id")
        .annotate(
            aantal=Count("object_id", distinct=True),
            eerste=Min("occurred_at"),
            naam=Min("username"),
        )
        .filter(aantal__gt=threshold)
    )
    return [
        ReviewItem(
            ReviewSoort.VOLUME,
            f"volume:{r['user_id']}:{day:%Y-%m-%d}",
            r["eerste"],
            r["naam"],
            r["user_id"],
            r["aantal"],
        )
        for r in rows
    ]


def _volume(since: datetime) -> list[ReviewItem]:
    """Per day. A day long over cannot change any more (append-only), so it is cached;
    the last 25 hours are counted live (late commits of long transactions)."""
    threshold = _setting("AUDIT_VOLUME_THRESHOLD", 50)
    settled = timezone.localdate(timezone.now() - timedelta(hours=25))
    day = timezone.localdate(since)
    items: list[ReviewItem] = []
    while day <= timezone.localdate():
        if day > settled:
            items += _volume_of_day(day, threshold)
        else:
            key = f"audit:volume:{day:%Y%m%d}:{threshold}"
            cached = cache.get_or_set(
                key, lambda d=day: _volume_of_day(d, threshold), timeout=7 * 86400
            )
            items += cached or []
        day += timedelta(days=1)
    return items


def _item_for(sleutel: str) -> ReviewItem | None:
    """The queue item with this key, computed for that key alone."""
    soort, _, rest = sleutel.partition(":")
    try:
        if soort == ReviewSoort.NOODTOEGANG:
            rec = AuditRecord.objects.get(pk=int(rest))
            since = rec.occurred_at
            found = _noodtoegang(since, upto_id=rec.pk)
        elif soort == ReviewSoort.WEIGERINGEN:
            rec = AuditRecord.objects.get(pk=int(rest))
            window = timedelta(minutes=_setting("AUDIT_DENIED_WINDOW_MINUTES", 10))
            found = _denied_bursts(rec.occurred_at - window, user_id=rec.user_id)
        elif soort == ReviewSoort.VOLUME:
            user_id, _, day = rest.partition(":")
            found = _volume_of_day(
                date.fromisoformat(day), _setting("AUDIT_VOLUME_THRESHOLD", 50), int(user_id)
            )
        else:
            return None
    except (AuditRecord.DoesNotExist, ValueError):
        return None
    return next((i for i in found if i.sleutel == sleutel), None)


def review_queue(*, days: int | None = None, include_reviewed: bool = False) -> list[ReviewItem]:
    """The items of the last ``days`` days, unreviewed first, newest first."""
    days = days or _setting("AUDIT_REVIEW_DAYS", 30)
    since = timezone.now() - timedelta(days=days)
    items = _noodtoegang(since) + _denied_bursts(since) + _volume(since)
    reviews = {
        (r.soort, r.sleutel): r
        for r in AuditReview.objects.filter(sleutel__in=[i.sleutel for i in items])
    }
    for item in items:
        item.review = reviews.get((item.soort, item.sleutel))
    if not include_reviewed:
        items = [i for i in items if i.review is None]
    items.sort(key=lambda i: (i.review is not None, -i.occurred_at.timestamp()))
    return items


@transaction.atomic
def review_create(*, sleutel: str, opmerking: str, by: Any, request: Any = None) -> AuditReview:
    """Mark one queue item reviewed with a comment; the review is itself audited."""
    opmerking = opmerking.strip()
    if not opmerking:
        raise ValidationError({"opmerking": _("Geef een toelichting bij de beoordeling.")})
    item = _item_for(sleutel)
    if item is None:
        raise ValidationError({"sleutel": _("Dit item staat niet in de beoordelingslijst.")})
    if AuditReview.objects.filter(soort=item.soort, sleutel=item.sleutel).exists():
        raise ValidationError({"sleutel": _("Dit item is al beoordeeld.")})
    review = AuditReview.objects.create(
        soort=item.soort,
        sleutel=item.sleutel,
        record_id=item.record_id,
        reviewed_by_id=by.pk,
        reviewed_by_username=by.get_username(),
        opmerking=opmerking,
        reviewed_at=timezone.now(),
    )
    record(
        actor=by,
        actie=Actie.CREATE,
        doel=Doel.AUDIT,
        object_type="auditbeoordeling",
        object_id=review.pk,
        object_ids=[item.record_id] if item.record_id else [],
        velden=["opmerking"],
        request=request,
    )
    return review
