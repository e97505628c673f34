"""Reads of the signalen app: querysets already narrowed to what the user may see.

* a melder: the signals of their own organisation (and of those the pages show
  only status and terugkoppeling);
* consulenten and teamleiders: the intake queue of their own team;
* whoever may see a casus: the signals linked to it (access through the casus).

Nothing here looks at model-level permissions, so a stray ``view_signaal``
grant opens nothing.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from casussen.models import Casus
from casussen.selectors import casus_get_for_user, huishouden_beperkt
from signalen.models import AFGEHANDELD, Signaal
from signalen.referentie import referentie_parse
from toegang.roles import Rol

PAGE_SIZE = 25


def signalen_for_melder(*, user: Any, alleen_eigen: bool = False) -> QuerySet[Signaal]:
    """The signals of the melder's organisation (or only her own), newest first."""
    if not (user.is_authenticated and user.has_rol(Rol.MELDER) and user.organisatie_id):
        return Signaal.objects.none()
    signalen = Signaal.objects.filter(organisatie_id=user.organisatie_id)
    if alleen_eigen:
        signalen = signalen.filter(melder=user)
    return signalen.select_related("melder").order_by("-created_at", "-id")


def signaal_get_for_melder(*, user: Any, signaal_id: Any) -> Signaal:
    """One signal of the melder's organisation; Http404 for any other (or a malformed id)."""
    try:
        pk = uuid.UUID(str(signaal_id))
    except ValueError:
        raise Http404 from None
    signaal = signalen_for_melder(user=user).filter(pk=pk).first()
    if signaal is None:
        raise Http404
    return signaal


def _waiting() -> QuerySet[Signaal]:
    """The signals waiting in an intake queue (no casus yet, not handled).

    Not those of a restricted household (AVG art. 18): they wait until it is lifted.
    """
    return (
        Signaal.objects.filter(casus__isnull=True)
        .exclude(status__in=AFGEHANDELD)
        .filter(~huishouden_beperkt())
    )


def _queue(*, team_id: Any) -> QuerySet[Signaal]:
    """The signals waiting in a team's intake queue."""
    return _waiting().filter(team_id=team_id)


def aanmeldingen_for_user(*, user: Any) -> QuerySet[Signaal]:
    """The team's intake queue: waiting signals without casus, urgent first, then oldest."""
    if not (user.is_authenticated and user.has_rol(Rol.CONSULENT, Rol.TEAMLEIDER)):
        return Signaal.objects.none()
    if user.team_id is None:
        return Signaal.objects.none()
    return (
        _queue(team_id=user.team_id)
        .select_related("organisatie")
        .order_by("-urgent", "created_at", "id")
    )


def signaal_viewer_ids(*, signaal_id: Any, melders: bool = True) -> set[int]:
    """Users who may see the signal now, by the rules of the pages above (event recipients).

    The melders of its organisation (``melders=False`` leaves them out), the
    consulenten and teamleiders of its team while it waits in their queue, and
    whoever may see its casus. Inactive users never.
    """
    found = signaal_viewer_ids_many(
        signaal_ids=[signaal_id], melders_for=[signaal_id] if melders else []
    )
    return next(iter(found.values()), set())


def signaal_viewer_ids_many(
    *, signaal_ids: Iterable[Any], melders_for: Iterable[Any] = ()
) -> dict[str, set[int]]:
    """``signaal_viewer_ids`` for many signals at once (the relay's batch), by signal id.

    The melders only for the signals in ``melders_for``. Four queries for the batch
    plus one per linked casus, instead of four per signal.
    """
    from casussen.selectors import casus_viewer_ids
    from toegang.models import User

    rows = list(
        Signaal.objects.filter(pk__in=list(signaal_ids)).values(
            "pk", "organisatie_id", "team_id", "casus_id"
        )
    )
    if not rows:
        return {}
    met_melders = {str(uuid.UUID(str(pk))) for pk in melders_for}
    active = User.objects.filter(is_active=True)
    melders: dict[Any, set[int]] = {}
    organisaties = {row["organisatie_id"] for row in rows if str(row["pk"]) in met_melders}
    if organisaties:
        for pk, organisatie_id in active.filter(
            rol=Rol.MELDER, organisatie_id__in=organisaties, is_api_client=False
        ).values_list("pk", "organisatie_id"):
            melders.setdefault(organisatie_id, set()).add(pk)
    queued = dict(
        _waiting()
        .filter(pk__in=[row["pk"] for row in rows], team_id__isnull=False)
        .values_list("pk", "team_id")
    )
    team_users: dict[Any, set[int]] = {}
    if queued:
        for pk, team_id in active.filter(
            rol__in=[Rol.CONSULENT, Rol.TEAMLEIDER], team_id__in=set(queued.values())
        ).values_list("pk", "team_id"):
            team_users.setdefault(team_id, set()).add(pk)
    casus_viewers = {
        casus_id: casus_viewer_ids(casus_id=casus_id)
        for casus_id in {row["casus_id"] for row in rows if row["casus_id"] is not None}
    }
    found: dict[str, set[int]] = {}
    for row in rows:
        ids: set[int] = set()
        if str(row["pk"]) in met_melders:
            ids |= melders.get(row["organisatie_id"], set())
        if row["pk"] in queued:
            ids |= team_users.get(queued[row["pk"]], set())
        if row["casus_id"] is not None:
            ids |= casus_viewers[row["casus_id"]]
        found[str(row["pk"])] = ids
    return found


def signaal_visible_to(*, user: Any, signaal_id: Any) -> bool:
    """May ``user`` see this signal on any page (Mijn signalen, the queue, its casus)?"""
    if not getattr(user, "is_active", False):
        return False
    try:
        pk = uuid.UUID(str(signaal_id))
    except ValueError:
        return False
    if user.has_rol(Rol.MELDER):
        return signalen_for_melder(user=user).filter(pk=pk).exists()
    if aanmeldingen_for_user(user=user).filter(pk=pk).exists():
        return True
    casus_id = Signaal.objects.filter(pk=pk).values_list("casus_id", flat=True).first()
    if casus_id is None:
        return False
    try:
        signaal_for_casus(user=user, casus_id=casus_id, signaal_id=pk)
    except Http404:
        return False
    return True


def aanmelding_get_for_user(*, user: Any, signaal_id: Any) -> Signaal:
    signaal = aanmeldingen_for_user(user=user).filter(pk=signaal_id).first()
    if signaal is None:
        raise Http404
    return signaal


def signalen_for_casus(*, user: Any, casus_id: Any) -> tuple[Casus, QuerySet[Signaal]]:
    """The casus (Http404 without view access) and its signals, newest first."""
    casus = casus_get_for_user(user=user, casus_id=casus_id, need="view")
    signalen = (
        Signaal.objects.filter(casus=casus)
        .select_related("organisatie")
        .order_by("-created_at", "-id")
    )
    return casus, signalen


def signaal_for_casus(*, user: Any, casus_id: Any, signaal_id: Any) -> tuple[Casus, Signaal]:
    casus, signalen = signalen_for_casus(user=user, casus_id=casus_id)
    signaal = signalen.filter(pk=signaal_id).first()
    if signaal is None:
        raise Http404
    return casus, signaal


def wachtend_signaal_by_referentie(*, casus: Casus, referentie: str) -> Signaal | None:
    """A waiting signal of the casus's team with this reference code, if any."""
    code = referentie_parse(referentie)
    if code is None:
        return None
    return _queue(team_id=casus.team_id).filter(referentie=code).first()


# -- keyset pages -----------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[Signaal]
    next_cursor: str | None


def _encode(signaal: Signaal) -> str:
    raw = f"{signaal.created_at.isoformat()}|{signaal.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, uuid.UUID] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        return datetime.fromisoformat(stamp), uuid.UUID(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def newest_first_page(
    queryset: QuerySet[Signaal], *, cursor: str | None, size: int = PAGE_SIZE
) -> Page:
    """One page of a newest-first list, after ``cursor``; no COUNT(*)."""
    if cursor:
        position = _decode(cursor)
        if position is None:
            raise Http404
        created_at, pk = position
        queryset = queryset.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        )
    items = list(queryset[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(items=items, next_cursor=_encode(items[-1]) if more and items else None)


def signaal_owner(object_id: str) -> Any:
    """The household of signal ``object_id`` (a denied attempt is about its resident)."""
    try:
        pk = uuid.UUID(object_id)
    except ValueError:
        return None
    return Signaal.objects.filter(pk=pk).values_list("huishouden_id", flat=True).first()


@dataclass(frozen=True)
class MatchSleutel:
    """One key of a possible match: "komt overeen", "komt niet overeen" or "niet opgegeven"."""

    naam: Any
    uitkomst: str  # "ja", "nee" or "onbekend" (the signal did not give this key)


@dataclass(frozen=True)
class MatchKandidaat:
    huishouden_id: str
    sleutels: list[MatchSleutel]
    leden: list[Any]  # Gezinslid rows (decrypted): name, relatie and date of birth are shown
    casus: Casus | None
    #: References of other signals already in this household (e.g. a provisional one that waits).
    signalen: list[str]

    @property
    def persoon_ids(self) -> list[Any]:
        return [lid.pk for lid in self.leden]


def _signaal_sleutels(gegevens: dict[str, str]) -> dict[str, str | None]:
    """The signal's blind indexes per key (None when it did not give that key)."""
    from datetime import date

    from toegang.crypto.blind_index import (
        blind_index_bsn,
        blind_index_naam_geboortedatum,
        blind_index_postcode_huisnummer,
    )

    geboren: date | None = None
    with contextlib.suppress(ValueError):
        geboren = date.fromisoformat(gegevens.get("geboortedatum") or "")
    achternaam, bsn = gegevens.get("achternaam"), gegevens.get("bsn")
    postcode, huisnummer = gegevens.get("postcode"), gegevens.get("huisnummer")
    return {
        "bsn_index": blind_index_bsn(bsn) if bsn else None,
        "naam_geboortedatum_index": (
            blind_index_naam_geboortedatum(achternaam, geboren) if achternaam and geboren else None
        ),
        "postcode_huisnummer_index": (
            blind_index_postcode_huisnummer(postcode, huisnummer)
            if postcode and huisnummer
            else None
        ),
    }


MATCH_SLEUTELS = {
    "bsn_index": gettext_lazy("BSN"),
    "naam_geboortedatum_index": gettext_lazy("Achternaam en geboortedatum"),
    "postcode_huisnummer_index": gettext_lazy("Postcode en huisnummer"),
}


def kandidaat_ids(*, signaal: Signaal) -> list[str]:
    """The signal's possible matches, each once, without a household restricted since."""
    ids = list(dict.fromkeys(str(pk) for pk in signaal.mogelijke_match))
    if not ids:
        return []
    beperkt = Casus.objects.filter(huishouden_id__in=ids, beperkt=True)
    weg = {str(pk) for pk in beperkt.values_list("huishouden_id", flat=True)}
    return [pk for pk in ids if pk not in weg]


def match_kandidaten(*, signaal: Signaal) -> list[MatchKandidaat]:
    """Each possible household once: which keys matched (blind indexes only), its members
    and its open casus with aanspreekpunt. The caller audits the members' read.

    A household restricted since the signal came in (AVG art. 18) is no candidate.
    """
    from casussen.models import Gezinslid

    ids = list(dict.fromkeys(str(pk) for pk in signaal.mogelijke_match))
    if not ids:
        return []
    alle = list(Casus.objects.filter(huishouden_id__in=ids).select_related("aanspreekpunt"))
    beperkt = {str(c.huishouden_id) for c in alle if c.beperkt}
    ids = [pk for pk in ids if pk not in beperkt]
    if not ids:
        return []
    casussen = {str(c.huishouden_id): c for c in alle if c.status != Casus.Status.AFGESLOTEN}
    leden: dict[str, list[Any]] = {pk: [] for pk in ids}
    for lid in Gezinslid.objects.filter(huishouden_id__in=ids).select_related(
        "huishouden__data_key"
    ):
        leden[str(lid.huishouden_id)].append(lid)
    andere: dict[str, list[str]] = {pk: [] for pk in ids}
    for huishouden_id, referentie in (
        Signaal.objects.filter(huishouden_id__in=ids)
        .exclude(pk=signaal.pk)
        .order_by("created_at")
        .values_list("huishouden_id", "referentie")
    ):
        andere[str(huishouden_id)].append(referentie)
    gezocht = _signaal_sleutels(signaal.inwoner_gegevens)
    kandidaten = []
    for pk in ids:
        sleutels = []
        for veld, naam in MATCH_SLEUTELS.items():
            waarde = gezocht[veld]
            if waarde is None:
                uitkomst = "onbekend"
            else:
                uitkomst = "ja" if any(getattr(lid, veld) == waarde for lid in leden[pk]) else "nee"
            sleutels.append(MatchSleutel(naam, uitkomst))
        kandidaten.append(MatchKandidaat(pk, sleutels, leden[pk], casussen.get(pk), andere[pk]))
    return kandidaten
