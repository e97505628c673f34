"""Reads of the trail for the console and the API: filters and keyset pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import AuditRecord
from audit.subjects import Subject

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

#: What the console and API show of a record: metadata only, never case content.
LIST_FIELDS = (
    "id",
    "occurred_at",
    "user_id",
    "username",
    "rol",
    "organisatie_naam",
    "actie",
    "doel",
    "object_type",
    "object_id",
    "huishouden_id",
    "noodtoegang",
    "uitkomst",
    "request_id",
)


@dataclass(frozen=True)
class Filters:
    gebruiker: str = ""
    user_id: int | None = None
    object_id: str = ""
    actie: str = ""
    van: date | None = None
    tot: date | None = None
    huishouden_id: str = ""
    persoon_id: str = ""
    subject: Subject | None = None

    @property
    def empty(self) -> bool:
        return self == Filters()


@dataclass
class Page:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: int | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _json_list_has(column: str, values: tuple[str, ...]) -> Q:
    """Records whose JSON id list ``column`` holds any of ``values``."""
    if not values:
        return Q(pk__in=[])
    query = Q()
    for value in values:
        if connection.vendor == "postgresql":
            query |= Q(**{f"{column}__contains": [value]})  # GIN jsonb_path_ops
        else:
            query |= Q(**{f"_{column}_text__contains": f'"{value}"'})
    return query


def _with_text(queryset: QuerySet[AuditRecord], *columns: str) -> QuerySet[AuditRecord]:
    if connection.vendor == "postgresql":
        return queryset
    return queryset.annotate(**{f"_{c}_text": Cast(c, output_field=TextField()) for c in columns})


def subject_query(subject: Subject) -> Q:
    """Every record about this resident: their households (alone or in a list) or themselves."""
    return (
        Q(huishouden_id__in=subject.huishouden_ids)
        | _json_list_has("huishouden_ids", subject.huishouden_ids)
        | _json_list_has("persoon_ids", subject.persoon_ids)
    )


def records_matching(filters: Filters) -> QuerySet[AuditRecord]:
    """The records that match every given filter, newest first."""
    queryset = _with_text(AuditRecord.objects.all(), "persoon_ids", "object_ids", "huishouden_ids")
    if filters.gebruiker:
        # By user id (indexed); the username column itself has no index.
        user_ids = list(
            get_user_model().objects.filter(username=filters.gebruiker).values_list("pk", flat=True)
        )
        queryset = queryset.filter(user_id__in=user_ids)
    if filters.user_id is not None:
        queryset = queryset.filter(user_id=filters.user_id)
    if filters.object_id:
        queryset = queryset.filter(
            Q(object_id=filters.object_id) | _json_list_has("object_ids", (filters.object_id,))
        )
    if filters.actie:
        queryset = queryset.filter(actie=filters.actie)
    if filters.van:
        queryset = queryset.filter(occurred_at__gte=_day_start(filters.van))
    if filters.tot:
        queryset = queryset.filter(occurred_at__lt=_day_start(filters.tot + timedelta(days=1)))
    if filters.huishouden_id:
        queryset = queryset.filter(huishouden_id=filters.huishouden_id)
    if filters.persoon_id:
        queryset = queryset.filter(_json_list_has("persoon_ids", (filters.persoon_id,)))
    if filters.subject is not None:
        queryset = queryset.filter(subject_query(filters.subject))
    return queryset.order_by("-id")


def keyset_page(
    queryset: QuerySet[AuditRecord], *, cursor: int | None, size: int = PAGE_SIZE
) -> Page:
    """One page (newest first) after ``cursor`` (the last id of the previous page)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor is not None:
        queryset = queryset.filter(id__lt=cursor)
    rows = list(queryset.values(*LIST_FIELDS)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_cursor=rows[-1]["id"] if more else None)


def seal_status() -> dict[str, Any]:
    """The newest seal and how many records wait for one (console header)."""
    from audit.models import AuditSeal

    last = AuditSeal.objects.order_by("-last_id").values("id", "last_id", "sealed_at").first()
    after = last["last_id"] if last else 0
    return {"seal": last, "unsealed": AuditRecord.objects.filter(id__gt=after).count()}
