"""The privacy officer's review queue and the service that records a judgement.

Kinds of item, each with a stable key (records never change):

* every noodtoegang, from start to end as one item (``audit.episodes``):
  ``noodtoegang:<id of its start record>``;
* every casus brought into a sociaal vangnet overleg, with its basis for sharing:
  ``deelgrondslag:<record id>``;
* a burst of denied attempts, at least ``AUDIT_DENIED_BURST`` (5) by one user
  (or, without a user, one IP address) within ``AUDIT_DENIED_WINDOW_MINUTES``
  (10): ``weigeringen:<first record id>``;
* unusual volume, a user reading more distinct objects in one day than
  ``AUDIT_VOLUME_THRESHOLD`` (50): ``volume:<user id>:<date>``;
* the rule-based alerts of ``audit.alerts`` (reeks, eigen_naam, kantoortijd), as the
  worker job ``audit_alerts`` stored them (``AuditAlert``): the queue reads them only.

A judgement is terecht, onterecht or navragen, with a comment; "onterecht"
tells the teamleider(s) of the user's team by e-mail (after commit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Min
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.episodes import Episode, episodes
from audit.models import (
    Actie,
    AuditAlert,
    AuditRecord,
    AuditReview,
    Doel,
    Oordeel,
    ReviewSoort,
    Uitkomst,
)
from audit.services import record
from toegang.logging import get_logger

log = get_logger(__name__)


#: The kinds of ``audit.alerts``: stored by the worker, read here.
ALERT_SOORTEN = (ReviewSoort.REEKS, ReviewSoort.EIGEN_NAAM, ReviewSoort.KANTOORTIJD)


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
    episode: Episode | None = None
    huishouden_id: str = ""
    #: Filled in for the page: the user's full name, role and team.
    naam: str = ""
    rol: str = ""
    team: str = ""
    casus_url: str = ""

    @property
    def soort_label(self) -> str:
        return str(ReviewSoort(self.soort).label)


def _noodtoegang(since: datetime, start_id: int | None = None) -> list[ReviewItem]:
    return [
        ReviewItem(
            ReviewSoort.NOODTOEGANG,
            f"noodtoegang:{e.record_id}",
            e.started_at,
            e.username,
            e.user_id,
            1 + len(e.record_ids),
            e.record_id,
            e.reden,
            episode=e,
            huishouden_id=str(e.huishouden_id or ""),
        )
        for e in episodes(since=since, start_id=start_id)
    ]


def _alerts(stored: Iterable[AuditAlert]) -> list[ReviewItem]:
    return [
        ReviewItem(
            a.soort,
            a.sleutel,
            a.occurred_at,
            a.username,
            a.user_id,
            a.aantal,
            a.record_id,
            huishouden_id=a.huishouden_id,
        )
        for a in stored
    ]


def _deelgrondslagen(since: datetime, upto_id: int | None = None) -> list[ReviewItem]:
    records = AuditRecord.objects.filter(
        doel=Doel.OVERLEG, actie=Actie.CREATE, object_type="casusinbreng"
    )
    if upto_id is not None:
        records = records.filter(pk=upto_id)
    rows = (
        records.filter(occurred_at__gte=since)
        .order_by("-occurred_at")
        .values_list("id", "occurred_at", "username", "user_id", "reden")
    )
    return [
        ReviewItem(ReviewSoort.DEELGRONDSLAG, f"deelgrondslag:{rid}", at, name, uid, 1, rid, reden)
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
        if soort == ReviewSoort.VOLUME:
            user_id, _, day = rest.partition(":")
            found = _volume_of_day(
                date.fromisoformat(day), _setting("AUDIT_VOLUME_THRESHOLD", 50), int(user_id)
            )
        elif soort in ALERT_SOORTEN:
            found = _alerts(AuditAlert.objects.filter(soort=soort, sleutel=sleutel))
        elif soort in ReviewSoort.values:
            rec = AuditRecord.objects.get(pk=int(rest))
            found = _found_from(soort, rec)
        else:
            return None
    except (AuditRecord.DoesNotExist, ValueError):
        return None
    return next((i for i in found if i.sleutel == sleutel), None)


def _found_from(soort: str, rec: AuditRecord) -> list[ReviewItem]:
    """The items of kind ``soort`` that can start at record ``rec``."""
    if soort == ReviewSoort.NOODTOEGANG:
        return _noodtoegang(rec.occurred_at, start_id=rec.pk)
    if soort == ReviewSoort.DEELGRONDSLAG:
        return _deelgrondslagen(rec.occurred_at, upto_id=rec.pk)
    if soort == ReviewSoort.WEIGERINGEN:
        window = timedelta(minutes=_setting("AUDIT_DENIED_WINDOW_MINUTES", 10))
        return _denied_bursts(rec.occurred_at - window, user_id=rec.user_id)
    return []


def review_queue(*, days: int | None = None, include_reviewed: bool = False) -> list[ReviewItem]:
    """The items of the last ``days`` days, unreviewed first, newest first."""
    days = days or _setting("AUDIT_REVIEW_DAYS", 30)
    since = timezone.now() - timedelta(days=days)
    items = (
        _noodtoegang(since)
        + _deelgrondslagen(since)
        + _denied_bursts(since)
        + _volume(since)
        + _alerts(AuditAlert.objects.filter(occurred_at__gte=since))
    )
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


def describe_users(items: list[ReviewItem]) -> None:
    """Fill in each item's user (full name, role and team) and casus link (for the page)."""
    from toegang.roles import Rol

    ids = {i.user_id for i in items if i.user_id is not None}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids).select_related("team")}
    for item in items:
        user = users.get(item.user_id) if item.user_id is not None else None
        if user is None:
            continue
        item.naam = user.get_full_name() or user.get_username()
        item.rol = str(Rol(user.rol).label) if user.rol in Rol.values else user.rol
        team = getattr(user, "team", None)
        item.team = team.naam if team is not None else ""
    for item in items:
        if item.episode is not None and item.episode.casus_id:
            try:
                # The privacy officer has no access to the casus itself: its audit trail.
                item.casus_url = (
                    f"{reverse('audit:console')}?{urlencode({'object_id': item.episode.casus_id})}"
                )
            except NoReverseMatch:
                item.casus_url = ""


@transaction.atomic
def review_create(
    *, sleutel: str, oordeel: str, opmerking: str, by: Any, request: Any = None
) -> AuditReview:
    """Record the judgement of one queue item with a comment; it is itself audited.

    "Onterecht" tells the teamleider(s) of the user's team after commit.
    """
    opmerking = opmerking.strip()
    if not opmerking:
        raise ValidationError({"opmerking": _("Geef een toelichting bij de beoordeling.")})
    if oordeel not in Oordeel.values:
        raise ValidationError({"oordeel": _("Kies terecht, onterecht of navragen.")})
    item = _item_for(sleutel)
    if item is None:
        raise ValidationError({"sleutel": _("Dit item staat niet in de beoordelingslijst.")})
    if AuditReview.objects.filter(soort=item.soort, sleutel=item.sleutel).exists():
        raise ValidationError({"sleutel": _("Dit item is al beoordeeld.")})
    review = AuditReview.objects.create(
        soort=item.soort,
        sleutel=item.sleutel,
        record_id=item.record_id,
        oordeel=oordeel,
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
        velden=["oordeel", "opmerking"],
        reden=oordeel,
        request=request,
    )
    if oordeel == Oordeel.ONTERECHT and item.user_id is not None:
        transaction.on_commit(lambda: notify_teamleiders(item=item))
    return review


def notify_teamleiders(*, item: ReviewItem) -> int:
    """E-mail the teamleider(s) of the user's team: an item was judged "onterecht".

    Names the staff member and the kind of item, never the resident; the details
    are in the console. Returns how many teamleiders were told.
    """
    from toegang.roles import Rol

    User = get_user_model()
    user = User.objects.filter(pk=item.user_id).first() if item.user_id is not None else None
    if user is None or user.team_id is None:  # type: ignore[attr-defined]
        log.warning("audit_onterecht_geen_team", user_id=item.user_id)
        return 0
    leiders = list(
        User.objects.filter(team_id=user.team_id, rol=Rol.TEAMLEIDER, is_active=True)  # type: ignore[attr-defined]
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not leiders:
        log.warning("audit_onterecht_geen_teamleider", user_id=item.user_id)
        return 0
    naam = user.get_full_name() or user.get_username()
    subject = _("Beoordeling toegang: onterecht (%(naam)s)") % {"naam": naam}
    body = _(
        "De functionaris gegevensbescherming heeft een %(soort)s van %(naam)s van "
        "%(moment)s beoordeeld als onterecht. Bespreek dit met uw medewerker. "
        "De toelichting staat in de auditconsole."
    ) % {
        "soort": item.soort_label,
        "naam": naam,
        "moment": timezone.localtime(item.occurred_at).strftime("%d-%m-%Y %H:%M"),
    }
    try:
        send_mail(subject, body, None, leiders)
    except OSError as exc:
        log.error("audit_onterecht_mail_mislukt", user_id=item.user_id, fout=type(exc).__name__)
        return 0
    log.info("audit_onterecht_gemeld", user_id=item.user_id, teamleiders=len(leiders))
    return len(leiders)
