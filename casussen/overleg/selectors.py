"""Who may see what of an overleg, and when: the access rules of every page, API and event.

* The chair (voorzitter) sees the session, its agenda and attendance always; the
  shared summaries only within the access window, like everyone else.
* A participant (a standing deelnemer who is still eligible) sees a session from
  its publication until ``OVERLEG_TOEGANG_UREN`` after its end, then nothing.
  Within that window an agendapunt's summary is visible only if it was shared with
  them; other items show only that they exist.
* The aanspreekpunt who brought an item in sees it like the chair.
* An item whose casus is restricted (AVG art. 18, ``Casus.beperkt``) is gone from
  every page, API and afspraken list, also when it was brought in before the
  restriction; only the privacy officer's overview of sharing bases keeps it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from audit.models import Actie, Doel
from audit.services import record
from casussen.overleg import clock
from casussen.overleg.models import Afspraak, Agendapunt, Overleg, Sessie
from toegang.models import User
from toegang.roles import Rol


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def may_participate(user: Any) -> bool:
    """Consulenten, and melders of an organisation flagged for the overleg."""
    if not getattr(user, "is_active", False):
        return False
    if user.rol == Rol.CONSULENT:
        return True
    return bool(
        user.rol == Rol.MELDER and user.organisatie_id and user.organisatie.overleg_deelnemer
    )


def may_chair(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and user.rol in (Rol.CONSULENT, Rol.TEAMLEIDER))


def eligible_participants() -> QuerySet[User]:
    return User.objects.filter(is_active=True).filter(
        Q(rol=Rol.CONSULENT) | Q(rol=Rol.MELDER, organisatie__overleg_deelnemer=True)
    )


def deelnemers_of(overleg: Overleg) -> QuerySet[User]:
    """The standing participants who may take part now."""
    return eligible_participants().filter(overleggen=overleg).select_related("organisatie")


def toegang_tot(sessie: Sessie) -> datetime:
    """When participants stop seeing the session's shared summaries."""
    return sessie.eindigt_op + clock.toegang_duur()


def window_open(sessie: Sessie, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return sessie.gepubliceerd_op is not None and now <= toegang_tot(sessie)


def is_deelnemer(user: Any, sessie: Sessie) -> bool:
    return deelnemers_of(sessie.overleg).filter(pk=user.pk).exists()


def is_voorzitter(user: Any, sessie: Sessie) -> bool:
    return bool(sessie.overleg.voorzitter_id == user.pk and may_chair(user))


#: Agenda items of a casus that is not restricted.
NIET_BEPERKT = Q(casus__beperkt=False)


def brings_in(user: Any, sessie: Sessie) -> bool:
    return sessie.agenda.filter(NIET_BEPERKT, ingebracht_door=user).exists()


def may_view_sessie(user: Any, sessie: Sessie, now: datetime | None = None) -> bool:
    if is_voorzitter(user, sessie) or brings_in(user, sessie):
        return True
    return window_open(sessie, now) and is_deelnemer(user, sessie)


def sessie_get_for_user(*, user: Any, sessie_id: Any, now: datetime | None = None) -> Sessie:
    sessie = (
        Sessie.objects.select_related("overleg__voorzitter", "huidig_punt")
        .filter(pk=_uuid(sessie_id))
        .first()
    )
    if sessie is None or not may_view_sessie(user, sessie, now):
        raise Http404
    return sessie


def may_view_punt(user: Any, punt: Agendapunt, now: datetime | None = None) -> bool:
    """May ``user`` read this item's summary now (not: know that it exists)."""
    sessie = punt.sessie
    if punt.ingebracht_door_id == user.pk:
        return True
    if not window_open(sessie, now):
        return False
    if is_voorzitter(user, sessie):
        return True
    return is_deelnemer(user, sessie) and punt.gedeeld_met.filter(pk=user.pk).exists()


def punt_get_for_user(*, user: Any, punt_id: Any, now: datetime | None = None) -> Agendapunt:
    """The agendapunt whose summary ``user`` may read now; ``Http404`` otherwise."""
    punt = (
        Agendapunt.objects.select_related(
            "sessie__overleg", "casus__huishouden__data_key", "ingebracht_door"
        )
        .filter(NIET_BEPERKT, pk=_uuid(punt_id))
        .first()
    )
    if punt is None or not may_view_punt(user, punt, now):
        raise Http404
    return punt


def agenda_for_user(*, user: Any, sessie: Sessie, now: datetime | None = None) -> list[Any]:
    """The agenda as ``(punt, zichtbaar)``: every item exists, few are readable."""
    punten = list(
        sessie.agenda.filter(NIET_BEPERKT)
        .select_related("casus__huishouden__data_key", "ingebracht_door")
        .prefetch_related("gedeeld_met")
        .order_by("volgnummer")
    )
    return [(punt, may_view_punt(user, punt, now)) for punt in punten]


def sessie_viewer_ids(*, sessie_id: Any, now: datetime | None = None) -> set[int]:
    """Users who may see the session now: the event recipients of aggregate ``overleg``."""
    sessie = (
        Sessie.objects.select_related("overleg__voorzitter").filter(pk=_uuid(sessie_id)).first()
    )
    if sessie is None:
        return set()
    ids = set(sessie.agenda.filter(NIET_BEPERKT).values_list("ingebracht_door_id", flat=True))
    if may_chair(sessie.overleg.voorzitter):
        ids.add(sessie.overleg.voorzitter_id)
    if window_open(sessie, now):
        ids |= set(deelnemers_of(sessie.overleg).values_list("pk", flat=True))
    return ids


def sessies_for_user(*, user: Any, now: datetime | None = None) -> list[Sessie]:
    """Sessions the user chairs, brings items to, or (within the window) takes part in."""
    now = now or clock.now()
    candidates = (
        Sessie.objects.filter(
            Q(overleg__voorzitter=user)
            | Q(overleg__deelnemers=user)
            | Q(agenda__ingebracht_door=user, agenda__casus__beperkt=False)
        )
        .select_related("overleg")
        .distinct()
        .order_by("-begint_op")
    )
    return [s for s in candidates[:100] if may_view_sessie(user, s, now)]


def open_sessies_for_inbreng() -> QuerySet[Sessie]:
    """Sessions an aanspreekpunt can still bring a casus into (not yet over)."""
    return (
        Sessie.objects.filter(eindigt_op__gte=clock.now())
        .select_related("overleg")
        .order_by("begint_op")
    )


def afspraken_for_organisatie(*, user: Any) -> QuerySet[Afspraak]:
    """The afspraken that concern the user's organisation, for its participants only.

    They stay after the access window: they are the organisation's own tasks.
    """
    if user.rol != Rol.MELDER or not may_participate(user):
        return Afspraak.objects.none()
    return (
        Afspraak.objects.filter(
            organisatie_id=user.organisatie_id,
            agendapunt__sessie__overleg__deelnemers=user,
            agendapunt__casus__beperkt=False,
        )
        .select_related(
            "agendapunt__casus__huishouden__data_key", "agendapunt__sessie__overleg", "actie"
        )
        .distinct()
        .order_by("datum", "created_at")
    )


AFSPRAAK_VELDEN = ["omschrijving", "datum", "status"]


def afspraken_read(*, user: Any, request: Any = None) -> list[Afspraak]:
    """The organisation's afspraken (``afspraken_for_organisatie``), the read audited.

    The one read behind the page "Afspraken" and ``GET /api/v1/overleg/afspraken``.
    """
    afspraken = list(afspraken_for_organisatie(user=user))
    if afspraken:
        record(
            actor=user,
            actie=Actie.READ,
            doel=Doel.OVERLEG,
            object_type="afspraak",
            object_ids=[a.pk for a in afspraken],
            huishouden_ids=[a.agendapunt.casus.huishouden_id for a in afspraken],
            velden=AFSPRAAK_VELDEN,
            request=request,
        )
    return afspraken


def afspraak_for_owner(*, user: Any, afspraak_id: Any) -> Afspraak:
    afspraak = afspraken_for_organisatie(user=user).filter(pk=_uuid(afspraak_id)).first()
    if afspraak is None:
        raise Http404
    return afspraak


def sharing_bases(*, limit: int = 500) -> QuerySet[Agendapunt]:
    """Every item's basis for sharing, for the privacy officer (newest first)."""
    return (
        Agendapunt.objects.select_related(
            "sessie__overleg", "casus__huishouden__data_key", "ingebracht_door"
        )
        .prefetch_related("gedeeld_met__organisatie")
        .order_by("-created_at")[:limit]
    )
