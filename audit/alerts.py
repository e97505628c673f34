"""Rule-based alerts for the review queue (thresholds in settings).

* ``reeks``: one user opens at least ``AUDIT_REEKS_CASUSSEN`` (10) different
  casussen within ``AUDIT_REEKS_MINUTEN`` (15): ``reeks:<first record id>``;
* ``eigen_naam``: a user opens a casus of a household in which someone has the
  user's own surname: ``eigen_naam:<first record id>`` per user and household.
  The comparison runs inside the domain app's registered check (blind index or
  decryption there); this module sees a yes or no, never a name;
* ``kantoortijd``: a user works on residents' data outside office hours
  (``AUDIT_KANTOORTIJD`` "07:00-19:00", Monday to Friday):
  ``kantoortijd:<user id>:<date>``.

The worker job ``audit_alerts`` (``store_job``, every ``AUDIT_ALERTS_INTERVAL``
seconds) computes them over the review period and stores each as an
``AuditAlert``, idempotently; the review queue only reads those rows.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, ExtractMinute, TruncDate
from django.utils import timezone

from audit.models import Actie, AuditAlert, AuditRecord

#: fn(user_id, huishouden_ids) -> the ids among them where someone shares the user's surname.
RelationCheck = Callable[[int, Iterable[str]], set[str]]
_relation_check: RelationCheck | None = None


def register_relation_check(fn: RelationCheck | None) -> RelationCheck | None:
    """Install the domain's "own surname" check (None removes it); return the previous one."""
    global _relation_check
    previous, _relation_check = _relation_check, fn
    return previous


@dataclass(frozen=True)
class Alert:
    soort: str
    sleutel: str
    occurred_at: datetime
    user_id: int | None
    username: str
    aantal: int
    record_id: int | None = None
    huishouden_id: str = ""


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def office_hours() -> tuple[time, time]:
    start, _, end = str(getattr(settings, "AUDIT_KANTOORTIJD", "07:00-19:00")).partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def _casus_reads(since: datetime, user_id: int | None = None) -> Any:
    reads = AuditRecord.objects.filter(
        actie=Actie.READ, object_type="casus", occurred_at__gte=since, user_id__isnull=False
    ).exclude(object_id="")
    return reads.filter(user_id=user_id) if user_id is not None else reads


def reeksen(since: datetime, user_id: int | None = None) -> list[Alert]:
    """Many different casussen opened by one user in a short time."""
    size = _int("AUDIT_REEKS_CASUSSEN", 10)
    window = timedelta(minutes=_int("AUDIT_REEKS_MINUTEN", 15))
    per_user: dict[int, list[tuple[int, datetime, str, str]]] = defaultdict(list)
    rows = _casus_reads(since, user_id).order_by("occurred_at", "id")
    for rid, at, uid, name, casus in rows.values_list(
        "id", "occurred_at", "user_id", "username", "object_id"
    ).iterator(chunk_size=2000):
        per_user[uid].append((rid, at, name, casus))
    alerts = []
    for uid, reads in per_user.items():
        start = 0
        while start < len(reads):
            seen: dict[str, None] = {}
            end = start
            while end < len(reads) and reads[end][1] - reads[start][1] <= window:
                seen.setdefault(reads[end][3])
                end += 1
            if len(seen) >= size:
                rid, at, name, _ = reads[start]
                alerts.append(Alert("reeks", f"reeks:{rid}", at, uid, name, len(seen), rid))
                start = end
            else:
                start += 1
    return alerts


def eigen_naam(since: datetime, user_id: int | None = None) -> list[Alert]:
    """A casus opened of a household where someone has the user's own surname."""
    if _relation_check is None:
        return []
    first = (
        _casus_reads(since, user_id)
        .exclude(huishouden_id__isnull=True)
        .values("user_id", "huishouden_id")
        .annotate(eerste=Min("id"), aantal=Count("id"))
    )
    per_user: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in first:
        per_user[row["user_id"]].append(row)
    alerts = []
    for uid, rows in per_user.items():
        huishoudens = sorted({str(r["huishouden_id"]) for r in rows})
        digest = hashlib.sha256(",".join(huishoudens).encode()).hexdigest()[:32]
        key = f"audit:eigen_naam:{uid}:{digest}"
        related = cache.get(key)
        if related is None:
            related = _relation_check(uid, huishoudens)
            cache.set(key, related, timeout=3600)
        for row in rows:
            if str(row["huishouden_id"]) not in related:
                continue
            rec = AuditRecord.objects.values_list("occurred_at", "username").get(pk=row["eerste"])
            alerts.append(
                Alert(
                    "eigen_naam",
                    f"eigen_naam:{row['eerste']}",
                    rec[0],
                    uid,
                    rec[1],
                    row["aantal"],
                    row["eerste"],
                    str(row["huishouden_id"]),
                )
            )
    return alerts


def buiten_kantoortijd(
    since: datetime, user_id: int | None = None, day: date | None = None
) -> list[Alert]:
    """Work on residents' data outside office hours, per user per day."""
    begin, end = office_hours()
    records = AuditRecord.objects.filter(
        occurred_at__gte=since, user_id__isnull=False, huishouden_id__isnull=False
    ).exclude(actie__in=[Actie.LOGIN, Actie.LOGIN_FAILURE, Actie.LOGOUT])
    if user_id is not None:
        records = records.filter(user_id=user_id)
    records = records.annotate(
        _uur=ExtractHour("occurred_at"),
        _minuut=ExtractMinute("occurred_at"),
        _dag=ExtractIsoWeekDay("occurred_at"),
        _datum=TruncDate("occurred_at"),
    )
    outside = (
        Q(_dag__gte=6)
        | Q(_uur__lt=begin.hour)
        | Q(_uur=begin.hour, _minuut__lt=begin.minute)
        | Q(_uur__gt=end.hour)
        | Q(_uur=end.hour, _minuut__gte=end.minute)
    )
    rows = (
        records.filter(outside)
        .values("user_id", "_datum")
        .annotate(aantal=Count("id"), eerste=Min("occurred_at"), naam=Min("username"))
    )
    if day is not None:
        rows = rows.filter(_datum=day)
    return [
        Alert(
            "kantoortijd",
            f"kantoortijd:{r['user_id']}:{r['_datum']:%Y-%m-%d}",
            r["eerste"],
            r["user_id"],
            r["naam"],
            r["aantal"],
        )
        for r in rows
    ]


def alle(since: datetime) -> list[Alert]:
    """Every alert of every rule since ``since``."""
    return reeksen(since) + eigen_naam(since) + buiten_kantoortijd(since)


_BIJGEWERKT = ["occurred_at", "user_id", "username", "aantal", "record_id", "huishouden_id"]


def store(*, since: datetime | None = None) -> int:
    """Store the alerts since ``since`` (default: the review period) as review items.

    Idempotent: a key already stored gets its count and first moment brought up to
    date, never a second row. Returns how many alerts were found.
    """
    now = timezone.now()
    if since is None:
        since = now - timedelta(days=_int("AUDIT_REVIEW_DAYS", 30))
    rows = [
        AuditAlert(
            soort=a.soort,
            sleutel=a.sleutel,
            occurred_at=a.occurred_at,
            user_id=a.user_id,
            username=a.username or "",
            aantal=a.aantal,
            record_id=a.record_id,
            huishouden_id=a.huishouden_id,
            updated_at=now,
        )
        for a in alle(since)
    ]
    AuditAlert.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["soort", "sleutel"],
        update_fields=[*_BIJGEWERKT, "updated_at"],
    )
    return len(rows)


def store_job() -> int:
    """The worker job: store the alerts of the review period; never busy (waits its interval)."""
    store()
    return 0
