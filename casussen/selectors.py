"""Reads of casussen, already filtered to what the user may see.

Lists filter by one permitted-ids subquery on the direct-FK permission table
(``toegang.policy.permitted_ids``) and page by keyset, never with an exact
``COUNT(*)``. A detail is fetched with its access check in the same query;
whatever the user may not see raises ``Http404``, exactly like a missing id.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, NamedTuple, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from casussen.models import Betrokkene, Casus, CasusUserObjectPermission, Gezinslid, Noodtoegang
from toegang import jsonlimits, policy
from toegang.crypto.datakeys import column_cipher
from toegang.crypto.fields import Sealed
from toegang.models import Team, User
from toegang.prepared import PreparedQueries
from toegang.roles import Rol

_queries = PreparedQueries()

T = TypeVar("T")

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

#: Sort keys of "Mijn casussen": each a keyset of (field, descending) ending in the id.
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "-activiteit": (("last_activity_at", True), ("id", True)),
    "activiteit": (("last_activity_at", False), ("id", False)),
    "-geopend": (("opened_at", True), ("id", True)),
    "geopend": (("opened_at", False), ("id", False)),
    "urgent": (("urgent", True), ("last_activity_at", True), ("id", True)),
}
DEFAULT_SORT = "-activiteit"
ACTIVITEIT_DAGEN = (7, 30, 90)


def casussen_for_user(*, user: Any, need: str = "view") -> QuerySet[Casus]:
    """Every casus ``user`` holds ``need`` (view/change) on: one subquery, no global perms."""
    if need not in ("view", "change"):
        raise ValueError(need)
    if not _active(user):
        return Casus.objects.none()
    return _casussen_held(
        user_id=user.pk, permission_id=policy.permission_id(Casus, f"{need}_casus")
    )


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _casussen_held(*, user_id: Any, permission_id: Any) -> QuerySet[Casus]:
    """The casussen an active user holds a permission on (ids as they are)."""
    # A restricted casus (AVG art. 18) is frozen and readable by the privacy officer only.
    return Casus.objects.filter(
        pk__in=policy.held_ids(
            CasusUserObjectPermission, user_id=user_id, permission_id=permission_id
        ),
        beperkt=False,
    )


def huishouden_beperkt(ref: str = "huishouden_id") -> Exists:
    """True for a row whose household is under a restriction (AVG art. 18).

    ``ref`` names the row's household id field. A restricted household shows up
    nowhere but in the privacy officer's workflows: not in a queue, not as a match,
    not on an overleg's agenda.
    """
    return Exists(Casus.objects.filter(huishouden_id=OuterRef(ref), beperkt=True))


def casus_get_for_user(*, user: Any, casus_id: Any, need: str = "view") -> Casus:
    """The casus with its household and data key, or ``Http404`` if it is not visible.

    One query answers both questions of a page: may see (else 404) and
    ``casus.may_change``. Compiled to SQL once per process (``toegang.prepared``).
    """
    if need not in ("view", "change"):
        raise ValueError(need)
    try:
        key = casus_id if isinstance(casus_id, uuid.UUID) else uuid.UUID(str(casus_id))
    except ValueError:
        raise Http404 from None
    if not _active(user):
        raise Http404
    values = [
        user.pk,
        policy.permission_id(Casus, f"{need}_casus"),
        policy.permission_id(Casus, "change_casus"),
        key,
    ]
    rows = _queries.run("casus_get_for_user", _casus_met_rechten, values)
    if not rows:
        raise Http404
    return rows[0]


def _casus_met_rechten(
    user_id: Any, permission_id: Any, change_id: Any, casus_id: Any
) -> QuerySet[Casus]:
    may_change = policy.held_ids(
        CasusUserObjectPermission, user_id=user_id, permission_id=change_id
    )
    return (
        _casussen_held(user_id=user_id, permission_id=permission_id)
        .select_related("huishouden__data_key", "aanspreekpunt", "team")
        .annotate(may_change=Exists(may_change.filter(content_object_id=OuterRef("pk"))))
        .filter(pk=casus_id)[:1]
    )


def casus_detail_for_user(*, user: Any, casus_id: Any) -> Casus:
    """``casus_get_for_user`` with what the casus page shows besides: its household's
    gezinsleden (``casus.huishouden.gezinsleden.all()``), ``casus.betrokkenen_lijst`` and
    ``casus.via_noodtoegang`` (whether the user sees it through a running noodtoegang)."""
    casus = casus_get_for_user(user=user, casus_id=casus_id)
    leden = gezinsleden_van(huishouden_id=casus.huishouden_id)
    for lid in leden:
        lid.huishouden = casus.huishouden  # the data key the casus already holds
    casus.huishouden._prefetched_objects_cache = {"gezinsleden": leden}  # type: ignore[attr-defined]
    casus.betrokkenen_lijst = betrokkenen_met_gebruiker(casus_id=casus.pk)  # type: ignore[attr-defined]
    casus.via_noodtoegang = noodtoegang_actief(user=user, casus_id=casus.pk) is not None  # type: ignore[attr-defined]
    return casus


def casus_viewer_ids(*, casus_id: Any) -> set[int]:
    """Users who may see the casus now (event recipients)."""
    return policy.holders(CasusUserObjectPermission, object_id=casus_id, codename="view_casus")


def noodtoegang_actief(*, user: Any, casus_id: Any) -> Noodtoegang | None:
    """The user's running noodtoegang on this casus, if that is how they see it."""
    rows = _queries.run("noodtoegang_actief", _lopend, [casus_id, user.pk, timezone.now()])
    return rows[0] if rows else None


def _lopend(casus_id: Any, user_id: Any, now: datetime) -> QuerySet[Noodtoegang]:
    return Noodtoegang.objects.filter(
        casus_id=casus_id, user_id=user_id, ended_at__isnull=True, expires_at__gt=now
    ).order_by("-expires_at")[:1]


def gezinsleden_van(*, huishouden_id: Any) -> list[Gezinslid]:
    """The household's gezinsleden in the order they were added."""
    return _queries.run("gezinsleden_van", _gezinsleden, [huishouden_id])


def _gezinsleden(huishouden_id: Any) -> QuerySet[Gezinslid]:
    return Gezinslid.objects.filter(huishouden_id=huishouden_id).order_by("created_at", "id")


def betrokkenen_met_gebruiker(*, casus_id: Any) -> list[Betrokkene]:
    """The casus's betrokkenen (active and past) with their users."""
    return _queries.run("betrokkenen_met_gebruiker", _betrokkenen, [casus_id])


def _betrokkenen(casus_id: Any) -> QuerySet[Betrokkene]:
    return (
        Betrokkene.objects.filter(casus_id=casus_id)
        .select_related("user")
        .order_by("created_at", "id")
    )


# -- "Mijn casussen": filters and keyset pages -------------------------------------


@dataclass(frozen=True)
class Filters:
    status: str = "open"  # "open", "alle" or a Casus.Status value
    leefgebied: str = ""
    urgent: bool = False
    activiteit_dagen: int | None = None
    sort: str = DEFAULT_SORT


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    sort: str


class LijstRij(NamedTuple):
    """One row of the API's case list (``casussen_rijen``): the columns it shows and
    what opening the first gezinslid's achternaam needs, no model instance."""

    id: uuid.UUID
    huishouden_id: uuid.UUID
    status: str
    urgent: bool
    leefgebieden: list[str]
    version: int
    opened_at: datetime
    last_activity_at: datetime
    aanspreekpunt_id: int | None
    aanspreekpunt_username: str | None
    aanspreekpunt_first_name: str | None
    aanspreekpunt_last_name: str | None
    shredded_at: datetime | None
    data_key_id: uuid.UUID
    data_key_kek_version: int
    data_key_wrapped: bytes
    data_key_destroyed_at: datetime | None
    eerste_lid_id: uuid.UUID | None
    eerste_lid_achternaam: Sealed | None

    def eerste_achternaam(self) -> Any:
        """The first gezinslid's achternaam, opened (``VERNIETIGD`` once the data key is
        destroyed), as ``casus.eerste_lid.achternaam`` reads it on the models' page."""
        return _ACHTERNAAM.open_column(
            self.eerste_lid_achternaam,
            self.eerste_lid_id,
            lambda: column_cipher(
                self.data_key_id,
                self.data_key_kek_version,
                self.data_key_wrapped,
                self.data_key_destroyed_at,
            ),
        )


#: The columns of ``LijstRij``, in its order.
_RIJ_KOLOMMEN = (
    "id", "huishouden_id", "status", "urgent", "leefgebieden", "version", "opened_at",
    "last_activity_at", "aanspreekpunt_id", "aanspreekpunt__username",
    "aanspreekpunt__first_name", "aanspreekpunt__last_name", "huishouden__shredded_at",
    "huishouden__data_key_id", "huishouden__data_key__kek_version",
    "huishouden__data_key__wrapped", "huishouden__data_key__destroyed_at",
    "eerste_lid_id", "eerste_lid_achternaam",
)  # fmt: skip
_ACHTERNAAM = Gezinslid._meta.get_field("achternaam")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if isinstance(value, uuid.UUID) else value


def _encode(values: list[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, keys: tuple[tuple[str, bool], ...]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = jsonlimits.loads(raw, limit=2)
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        out: list[Any] = []
        for (field, _desc), value in zip(keys, values, strict=True):
            if field == "id":
                out.append(uuid.UUID(value))
            elif field == "urgent":
                out.append(bool(value))
            else:
                parsed = parse_datetime(value)
                if parsed is None:
                    raise ValueError
                out.append(parsed)
        return out
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ValidationError({"cursor": "Ongeldige cursor."}) from None


def _after(keys: tuple[tuple[str, bool], ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in the order of ``keys`` (mixed directions allowed)."""
    condition = Q()
    for i, (field, desc) in enumerate(keys):
        step = Q(**{f"{field}__{'lt' if desc else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{keys[j][0]: values[j]})
        condition |= step
    return condition


def filter_casussen(
    queryset: QuerySet[Casus], filters: Filters, *, since: datetime | None = None
) -> QuerySet[Casus]:
    """``filters`` on ``queryset``; ``since``: the start of ``activiteit_dagen`` (default:
    that many days before now)."""
    if filters.status == "open":
        queryset = queryset.exclude(status=Casus.Status.AFGESLOTEN)
    elif filters.status in Casus.Status.values:
        queryset = queryset.filter(status=filters.status)
    if filters.leefgebied:
        # Codes are quoted tokens in the JSON list; icontains works on every backend.
        queryset = queryset.filter(leefgebieden__icontains=f'"{filters.leefgebied}"')
    if filters.urgent:
        queryset = queryset.filter(urgent=True)
    if filters.activiteit_dagen:
        if since is None:
            since = timezone.now() - timedelta(days=filters.activiteit_dagen)
        queryset = queryset.filter(last_activity_at__gte=since)
    return queryset


#: What a list row shows, and what the rows need for it: no other column is read.
_LIJST_VELDEN = (
    "id", "huishouden_id", "status", "aanspreekpunt_id", "urgent", "leefgebieden", "version",
    "opened_at", "last_activity_at",
    "huishouden__id", "huishouden__data_key_id", "huishouden__shredded_at",
    "huishouden__data_key__id", "huishouden__data_key__wrapped",
    "huishouden__data_key__kek_version", "huishouden__data_key__destroyed_at",
    "aanspreekpunt__id", "aanspreekpunt__username", "aanspreekpunt__first_name",
    "aanspreekpunt__last_name",
)  # fmt: skip


def _eerste_lid(casus: Casus) -> Gezinslid | None:
    """The household's first gezinslid as the row read it: id and sealed achternaam only."""
    lid_id = casus.eerste_lid_id  # type: ignore[attr-defined]
    if lid_id is None:
        return None
    lid = Gezinslid.from_db(
        casus._state.db,
        ["id", "huishouden_id", "achternaam"],
        [lid_id, casus.huishouden_id, casus.eerste_lid_achternaam],  # type: ignore[attr-defined]
    )
    lid.huishouden = casus.huishouden  # the data key the row already holds
    return lid


def casussen_page(
    *, user: Any, filters: Filters, cursor: str | None = None, size: int | None = None
) -> Page[Casus]:
    """One keyset page of the user's visible casussen, with what the list shows.

    One query: the casussen with their aanspreekpunt, household and data key, and the
    id and sealed achternaam of the household's first gezinslid (``casus.eerste_lid``,
    decrypted when read). Only the columns the lists show are read. Compiled to SQL
    once per kind of page (``toegang.prepared``).
    """
    page = _pagina("casussen_page", _lijst, getattr, user, filters, cursor, size)
    for casus in page.items:
        casus.eerste_lid = _eerste_lid(casus)  # type: ignore[attr-defined]
    return page


def casussen_rijen(
    *, user: Any, filters: Filters, cursor: str | None = None, size: int | None = None
) -> Page[LijstRij]:
    """``casussen_page`` as rows of columns (``LijstRij``) for the API: the same query,
    filters, order and cursors, without building five model instances per row."""
    page = _pagina("casussen_rijen", _rijen, _kolom, user, filters, cursor, size)
    return Page([LijstRij._make(row) for row in page.items], page.next_cursor, page.sort)


def _kolom(row: tuple[Any, ...], field: str) -> Any:
    return row[LijstRij._fields.index(field)]


def _pagina(
    name: str,
    rows: Callable[[QuerySet[Casus], tuple[tuple[str, bool], ...], int], QuerySet[Casus, T]],
    key: Callable[[Any, str], Any],
    user: Any,
    filters: Filters,
    cursor: str | None,
    size: int | None,
) -> Page[T]:
    """One keyset page as ``rows`` makes them of the visible casussen; ``key(row, field)``
    reads a sort key of a row."""
    sort = filters.sort if filters.sort in SORTS else DEFAULT_SORT
    keys = SORTS[sort]
    size = max(1, min(size or PAGE_SIZE, MAX_PAGE_SIZE))
    after = _decode(cursor, keys) if cursor else []
    if not _active(user):
        return Page(items=[], next_cursor=None, sort=sort)
    values: list[Any] = [user.pk, policy.permission_id(Casus, "view_casus")]
    if filters.activiteit_dagen:
        values.append(timezone.now() - timedelta(days=filters.activiteit_dagen))
    values += after

    def build(user_id: Any, permission_id: Any, *rest: Any) -> QuerySet[Casus, T]:
        queryset = _casussen_held(user_id=user_id, permission_id=permission_id)
        since, bounds = (rest[0], rest[1:]) if filters.activiteit_dagen else (None, rest)
        queryset = filter_casussen(queryset, filters, since=since)
        if bounds:
            queryset = queryset.filter(_after(keys, list(bounds)))
        return rows(queryset, keys, size)

    shape = (name, filters, sort, bool(after), size)
    items = _queries.run(shape, build, values)
    next_cursor = None
    if len(items) > size:
        items = items[:size]
        next_cursor = _encode([key(items[-1], field) for field, _desc in keys])
    return Page(items=items, next_cursor=next_cursor, sort=sort)


def _eerste(queryset: QuerySet[Casus]) -> QuerySet[Casus]:
    """With the id and sealed achternaam of the household's first gezinslid."""
    # Both subqueries pick the same row: the order ends in the (unique) id.
    eerste = Gezinslid._base_manager.filter(huishouden_id=OuterRef("huishouden_id")).order_by(
        "created_at", "id"
    )
    return queryset.annotate(
        eerste_lid_id=Subquery(eerste.values("id")[:1]),
        eerste_lid_achternaam=Subquery(eerste.values("achternaam")[:1]),
    )


def _volgorde(keys: tuple[tuple[str, bool], ...]) -> list[str]:
    return [f"-{field}" if desc else field for field, desc in keys]


def _lijst(
    queryset: QuerySet[Casus], keys: tuple[tuple[str, bool], ...], size: int
) -> QuerySet[Casus]:
    """The columns of a list row, the first gezinslid, in the page's order, one extra row."""
    return _eerste(
        queryset.select_related("aanspreekpunt", "huishouden__data_key").only(*_LIJST_VELDEN)
    ).order_by(*_volgorde(keys))[: size + 1]


def _rijen(
    queryset: QuerySet[Casus], keys: tuple[tuple[str, bool], ...], size: int
) -> QuerySet[Casus, tuple[Any, ...]]:
    """``_lijst`` as the tuples of ``LijstRij``."""
    return _eerste(queryset).order_by(*_volgorde(keys)).values_list(*_RIJ_KOLOMMEN)[: size + 1]


def betrokkenen_of(*, casus: Casus) -> QuerySet[Betrokkene]:
    return casus.betrokkenen.select_related("user", "user__organisatie").order_by(
        "revoked_at", "eind_datum"
    )


# -- the teamleider's caseload --------------------------------


@dataclass(frozen=True)
class CaseloadRij:
    consulent: User
    open: int
    urgent: int


def caseload_for_team(*, team: Team | None) -> list[CaseloadRij]:
    """Open casussen per consulent of ``team`` (counts only, no content)."""
    if team is None:
        return []
    open_q = Q(
        casussen_als_aanspreekpunt__team=team, casussen_als_aanspreekpunt__beperkt=False
    ) & ~Q(casussen_als_aanspreekpunt__status=Casus.Status.AFGESLOTEN)
    consulenten = (
        User.objects.filter(team=team, rol=Rol.CONSULENT, is_active=True)
        .annotate(
            open_count=Count("casussen_als_aanspreekpunt", filter=open_q),
            urgent_count=Count(
                "casussen_als_aanspreekpunt",
                filter=open_q & Q(casussen_als_aanspreekpunt__urgent=True),
            ),
        )
        .order_by("-open_count", "last_name", "username")
    )
    return [CaseloadRij(c, c.open_count, c.urgent_count) for c in consulenten]  # type: ignore[attr-defined]


def team_casussen_van(*, team: Team | None, consulent_id: Any, limit: int = 100) -> list[Casus]:
    """Open casussen of one consulent of ``team``: references only, for handover."""
    if team is None:
        return []
    return list(
        Casus.objects.filter(team=team, aanspreekpunt_id=consulent_id, beperkt=False)
        .exclude(status=Casus.Status.AFGESLOTEN)
        .only("id", "status", "urgent", "last_activity_at", "aanspreekpunt_id")
        .order_by("-urgent", "-last_activity_at")[:limit]
    )


def zonder_aanspreekpunt_count(*, team: Team | None) -> int:
    if team is None:
        return 0
    return Casus.objects.filter(
        team=team, aanspreekpunt__isnull=True, status=Casus.Status.AANGEMELD, beperkt=False
    ).count()
