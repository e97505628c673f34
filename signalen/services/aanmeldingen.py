"""The intake queue: assign an aanspreekpunt, judge a possible match, link and split off.

Each service locks the signal, checks who may do it, changes the signal and the
casus (through casussen's services), writes the audit record and the events:
one transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie, Doel
from audit.services import record
from casussen.errors import CasusConflict
from casussen.models import Casus, Huishouden, TimelineEntry
from casussen.selectors import casus_get_for_user
from casussen.services.casus import casus_open, casus_touch, timeline_add
from casussen.services.huishouden import gezinslid_add, huishouden_create
from casussen.services.intake import huishouden_merge
from signalen.models import Signaal, Status
from signalen.selectors import kandidaat_ids
from signalen.services.common import (
    SEALED_FIELDS,
    bump,
    emit,
    lock,
    move_to_huishouden,
    require_team_member,
)
from signalen.validation import Inwoner
from toegang.roles import Rol

_MOVED = ("huishouden", *SEALED_FIELDS)


def _open_casus_of(huishouden_id: Any) -> Casus | None:
    return (
        Casus.objects.filter(huishouden_id=huishouden_id)
        .exclude(status=Casus.Status.AFGESLOTEN)
        .first()
    )


def _picked_up(signaal: Signaal) -> list[str]:
    """Mark the signal "opgepakt" if it was only "ontvangen"; the fields that changed."""
    if signaal.status != Status.ONTVANGEN:
        return []
    signaal.status = Status.OPGEPAKT
    signaal.status_gewijzigd_op = timezone.now()
    return ["status", "status_gewijzigd_op"]


def _audit(
    signaal: Signaal, *, by: Any, velden: list[str], doel: str = Doel.INTAKE, reden: str = ""
) -> None:
    record(
        actor=by,
        actie=Actie.UPDATE,
        doel=doel,
        object_type="signaal",
        object_id=signaal.pk,
        huishouden_id=signaal.huishouden_id,
        velden=velden,
        reden=reden,
    )


def _emit_linked(signaal: Signaal, status_changed: bool) -> None:
    emit("signaal.gekoppeld", signaal=signaal, casus_id=signaal.casus_id)
    if status_changed:
        emit(
            "signaal.status_gewijzigd",
            signaal=signaal,
            status=signaal.status,
            organisatie_id=signaal.organisatie_id,
        )


def _waiting(signaal: Signaal) -> None:
    if not signaal.in_wachtrij:
        raise ValidationError(_("Dit signaal is al opgepakt of afgehandeld."))


@transaction.atomic
def signaal_assign(*, signaal: Signaal, aanspreekpunt: Any, by: Any) -> Signaal:
    """Open a casus for the signal's household with ``aanspreekpunt``; the signal joins it."""
    signaal = lock(signaal.pk)
    require_team_member(user=by, signaal=signaal)
    _waiting(signaal)
    if by.rol == Rol.CONSULENT and aanspreekpunt.pk != by.pk:
        raise PermissionDenied
    if not (aanspreekpunt.has_rol(Rol.CONSULENT) and aanspreekpunt.team_id == signaal.team_id):
        raise ValidationError({"aanspreekpunt": [_("Kies een consulent van het team.")]})
    if kandidaat_ids(signaal=signaal):
        raise ValidationError(_("Beoordeel eerst de mogelijke match van dit signaal."))
    casus = _open_casus_of(signaal.huishouden_id)
    if casus is None:
        casus = casus_open(
            huishouden=signaal.huishouden,
            aanspreekpunt=aanspreekpunt,
            team=signaal.team,
            by=by,
            urgent=signaal.urgent,
            leefgebieden=tuple(signaal.leefgebieden),
        )
    else:
        casus_touch(
            casus=casus, by=by, leefgebieden=tuple(signaal.leefgebieden), urgent=signaal.urgent
        )
    signaal.casus = casus
    changed = _picked_up(signaal)
    bump(signaal, "casus", *changed)
    _audit(signaal, by=by, velden=["casus", "status"])
    emit(
        "signaal.toegewezen",
        signaal=signaal,
        team_id=signaal.team_id,
        consulent_id=casus.aanspreekpunt_id,
    )
    _emit_linked(signaal, bool(changed))
    return signaal


@transaction.atomic
def signaal_match_confirm(*, signaal: Signaal, huishouden_id: uuid.UUID | str, by: Any) -> Signaal:
    """The possible match is right: the signal's household goes up in the known one.

    ``huishouden_merge`` moves (and re-seals) every signal of the provisional
    household through ``signals_follow_merge``; the signal then joins the open
    casus of that household, if there is one, or waits for an aanspreekpunt.
    """
    signaal = lock(signaal.pk)
    require_team_member(user=by, signaal=signaal)
    _waiting(signaal)
    if str(huishouden_id) not in kandidaat_ids(signaal=signaal):
        raise ValidationError(_("Dit huishouden is geen mogelijke match van dit signaal."))
    doel = Huishouden.objects.get(pk=huishouden_id)
    _merge_or_move(signaal, doel, by=by)
    signaal = lock(signaal.pk)
    signaal.mogelijke_match = []
    casus = _open_casus_of(doel.pk)
    changed: list[str] = []
    if casus is not None:
        signaal.casus = casus
        signaal.team_id = casus.team_id
        changed = _picked_up(signaal)
        casus_touch(
            casus=casus, by=by, leefgebieden=tuple(signaal.leefgebieden), urgent=signaal.urgent
        )
    bump(signaal, "mogelijke_match", "casus", "team", *changed)
    _audit(signaal, by=by, velden=["huishouden", "mogelijke_match", "casus"])
    if casus is not None:
        _emit_linked(signaal, bool(changed))
    else:
        emit(
            "signaal.bijgewerkt",
            signaal=signaal,
            team_id=signaal.team_id,
            onderdeel="match_bevestigd",
        )
    return signaal


@transaction.atomic
def signaal_match_vragen(*, signaal: Signaal, huishouden_id: uuid.UUID | str, by: Any) -> Casus:
    """Ask the aanspreekpunt of a candidate's open casus whether the signal belongs there.

    The question goes on that casus's timeline (no personal data: the signal's reference),
    so its aanspreekpunt sees it live and on the page; the match itself stays open.
    """
    signaal = lock(signaal.pk)
    require_team_member(user=by, signaal=signaal)
    _waiting(signaal)
    if str(huishouden_id) not in kandidaat_ids(signaal=signaal):
        raise ValidationError(_("Dit huishouden is geen mogelijke match van dit signaal."))
    casus = _open_casus_of(huishouden_id)
    if casus is None or casus.aanspreekpunt_id is None:
        raise ValidationError(_("Dit huishouden heeft geen aanspreekpunt om te vragen."))
    vraag = _(
        "Hoort aanmelding %(ref)s bij dit huishouden? Bekijk de aanmelding in Aanmeldingen "
        "en laat het %(naam)s weten."
    ) % {"ref": signaal.referentie, "naam": by.weergavenaam}
    timeline_add(casus=casus, soort=TimelineEntry.Soort.NOTITIE, by=by, tekst=vraag)
    return casus


def _merge_or_move(signaal: Signaal, doel: Huishouden, *, by: Any) -> None:
    """Bring the signal to ``doel``: merge its household if that has no casus of its own
    (a provisional or anonymous one), otherwise move only this signal."""
    bron = signaal.huishouden
    if bron.pk == doel.pk:
        return
    if Casus.objects.filter(huishouden=bron).exists():
        _move(signaal, doel)
        return
    try:
        huishouden_merge(bron=bron, doel=doel, by=by)
    except CasusConflict as conflict:
        raise ValidationError(conflict.message) from None


def signals_follow_merge(*, bron: Huishouden, doel: Huishouden, by: Any) -> None:
    """Merge handler (registered with casussen): signals of ``bron`` move to ``doel``,
    re-sealed with its key, so ``bron`` and its data key can go."""
    for other in Signaal.objects.select_for_update(of=("self",)).filter(huishouden=bron):
        _move(other, doel)


def _move(signaal: Signaal, doel: Huishouden) -> None:
    """The signal moves to ``doel`` (re-sealed); the event tells the monitor's projection,
    which takes a household's signals along when it is destroyed."""
    move_to_huishouden(signaal, doel)
    bump(signaal, *_MOVED)
    _bijgewerkt(signaal, "huishouden", huishouden_id=doel.pk)


def _bijgewerkt(signaal: Signaal, onderdeel: str, **data: Any) -> None:
    emit(
        "signaal.bijgewerkt", signaal=signaal, team_id=signaal.team_id, onderdeel=onderdeel, **data
    )


@transaction.atomic
def signaal_match_reject(*, signaal: Signaal, huishouden_id: uuid.UUID | str, by: Any) -> Signaal:
    """The possible match is wrong: forget it; the signal waits as a new aanmelding."""
    signaal = lock(signaal.pk)
    require_team_member(user=by, signaal=signaal)
    _waiting(signaal)
    if str(huishouden_id) not in signaal.mogelijke_match:
        raise ValidationError(_("Dit huishouden is geen mogelijke match van dit signaal."))
    signaal.mogelijke_match = [pk for pk in signaal.mogelijke_match if pk != str(huishouden_id)]
    bump(signaal, "mogelijke_match")
    _audit(signaal, by=by, velden=["mogelijke_match"])
    _bijgewerkt(signaal, "match_afgewezen")
    return signaal


@transaction.atomic
def signaal_link_casus(*, signaal: Signaal, casus: Casus, by: Any) -> Signaal:
    """Link a waiting signal (e.g. an anonymous one quoted by its reference) to a casus."""
    casus = casus_get_for_user(user=by, casus_id=casus.pk, need="change")
    signaal = lock(signaal.pk)
    _waiting(signaal)
    if signaal.team_id != casus.team_id:
        raise PermissionDenied
    _merge_or_move(signaal, casus.huishouden, by=by)
    signaal = lock(signaal.pk)
    signaal.casus = casus
    signaal.mogelijke_match = []
    changed = _picked_up(signaal)
    bump(signaal, "casus", "mogelijke_match", *changed)
    casus_touch(casus=casus, by=by, leefgebieden=tuple(signaal.leefgebieden), urgent=signaal.urgent)
    _audit(signaal, by=by, velden=["huishouden", "casus"], doel=Doel.CASUSBEHANDELING)
    _emit_linked(signaal, bool(changed))
    return signaal


@transaction.atomic
def signaal_split(*, signaal: Signaal, by: Any, reden: str = "") -> Signaal:
    """Take a wrongly linked signal off its casus into a household of its own (queue)."""
    signaal = lock(signaal.pk)
    if signaal.casus_id is None:
        raise ValidationError(_("Dit signaal is niet aan een casus gekoppeld."))
    casus_get_for_user(user=by, casus_id=signaal.casus_id, need="change")
    nieuw = huishouden_create(by=by)
    inwoner = Inwoner.from_dict(signaal.inwoner_gegevens)
    if inwoner.achternaam:
        gezinslid_add(huishouden=nieuw, by=by, **_gezinslid_velden(inwoner))
    move_to_huishouden(signaal, nieuw)
    signaal.casus = None
    signaal.mogelijke_match = []
    # The melder's status stays as it was: a wrong link is not their business.
    bump(signaal, *_MOVED, "casus", "mogelijke_match")
    _audit(signaal, by=by, velden=["huishouden", "casus"], doel=Doel.CASUSBEHANDELING, reden=reden)
    _bijgewerkt(signaal, "ontkoppeld", huishouden_id=nieuw.pk)
    return signaal


def _gezinslid_velden(inwoner: Inwoner) -> dict[str, Any]:
    return {
        "achternaam": inwoner.achternaam,
        "voornaam": inwoner.voornaam,
        "geboortedatum": inwoner.geboortedatum,
        "bsn": inwoner.bsn,
        "straat": inwoner.straat,
        "huisnummer": inwoner.huisnummer,
        "postcode": inwoner.postcode,
        "woonplaats": inwoner.woonplaats,
        "telefoon": inwoner.telefoon,
    }
