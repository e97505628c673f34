"""The resident's other rights (AVG art. 16, 17, 18, 21), handled by the privacy officer.

Every request has a deadline of one month from receipt (art. 12 lid 3), extended
once by two months with a reason. Every step is audited (doel ``rechten``) with
ids and field names only; reasons and values are sealed in ``Verzoekstap``.

- correctie: granted, the field of the gezinslid is rectified; the old value stays
  in the request's history and the casus's timeline tells the consulent.
- beperking: granted, every casus of the household is frozen and hidden from
  everyone but the privacy officer (``Casus.beperkt``) until it is lifted.
- bezwaar: a decision with reason; granted, the consulent reads it on the timeline.
- wissing: granted, the household goes the same way as at the end of its term
  (``casussen.services.retention.destroy_household``).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie, Doel, Uitkomst
from audit.services import record
from casussen import events
from casussen.errors import CasusConflict
from casussen.models import (
    Casus,
    Gezinslid,
    Huishouden,
    Rechtenverzoek,
    TimelineEntry,
    Verzoeksoort,
    Verzoekstap,
    Verzoekstatus,
)
from casussen.services._common import require_text
from casussen.services.casus import timeline_entry
from casussen.services.huishouden import huishouden_buurt_bepalen
from casussen.services.retention import VernietigingGeweigerd, destroy_household
from toegang.crypto.bsn import bsn_is_valid, bsn_normalise
from toegang.crypto.fields import BlindIndexField
from toegang.roles import Rol

#: Months to answer (art. 12 lid 3) and by how many a deadline may be extended once.
TERMIJN_MAANDEN = 1
VERLENGING_MAANDEN = 2
MAX_TEKST = 2000

#: The fields of a gezinslid a correction may rectify, with their Dutch names.
CORRIGEERBAAR: dict[str, str] = {
    "voornaam": "voornaam",
    "achternaam": "achternaam",
    "geboortedatum": "geboortedatum",
    "bsn": "BSN",
    "straat": "straat",
    "huisnummer": "huisnummer",
    "postcode": "postcode",
    "woonplaats": "woonplaats",
    "telefoon": "telefoonnummer",
}


def _audit(
    *,
    by: Any,
    actie: str,
    verzoek: Rechtenverzoek,
    stap: str,
    velden: list[str] | None = None,
    uitkomst: str = Uitkomst.ALLOWED,
    request: Any = None,
) -> None:
    record(
        actor=by,
        actie=actie,
        doel=Doel.RECHTEN,
        object_type="rechtenverzoek",
        object_id=verzoek.pk,
        huishouden_id=verzoek.huishouden_id,
        persoon_ids=[verzoek.gezinslid_id] if verzoek.gezinslid_id else [],
        velden=velden or [verzoek.soort],
        reden=stap,  # the kind of step, never the reason's text
        uitkomst=uitkomst,
        request=request,
    )


def require_privacy_officer(by: Any, *, request: Any = None, object_id: Any = "") -> None:
    """Only an active privacy officer handles requests; a refusal is audited."""
    if by is not None and by.is_active and by.rol == Rol.PRIVACY_OFFICER:
        return
    record(
        actor=by,
        actie=Actie.DENY,
        doel=Doel.RECHTEN,
        object_type="rechtenverzoek",
        object_id=object_id,
        uitkomst=Uitkomst.DENIED,
        request=request,
    )
    raise PermissionDenied(_("Alleen de privacy officer handelt verzoeken van inwoners af."))


def _door_privacy_officer(service: Callable[..., Rechtenverzoek]) -> Callable[..., Rechtenverzoek]:
    """Check the role first, outside the transaction, so a refusal stays in the audit trail."""
    atomic = transaction.atomic(service)

    @wraps(service)
    def wrapper(*, by: Any, request: Any = None, **kwargs: Any) -> Rechtenverzoek:
        verzoek = kwargs.get("verzoek")
        require_privacy_officer(by, request=request, object_id=getattr(verzoek, "pk", ""))
        return atomic(by=by, request=request, **kwargs)

    return wrapper


def _waarde(veld: str, ruw: str) -> Any:
    """The new value of a correction, validated like at intake; raises ValidationError."""
    tekst = (ruw or "").strip()
    if veld == "geboortedatum":
        datum = _datum(tekst)
        if datum is None:
            raise ValidationError({"nieuwe_waarde": _("Vul een datum in als dd-mm-jjjj.")})
        return datum
    if not tekst and veld == "achternaam":
        raise ValidationError({"nieuwe_waarde": _("Vul de juiste waarde in.")})
    if veld == "bsn":
        if not bsn_is_valid(tekst):
            raise ValidationError({"nieuwe_waarde": _("Dit is geen geldig BSN (elfproef).")})
        return bsn_normalise(tekst)
    if veld == "postcode":
        tekst = tekst.upper()
    max_length = getattr(Gezinslid._meta.get_field(veld), "max_length", None) or 200
    if len(tekst) > max_length:
        raise ValidationError({"nieuwe_waarde": _("Maximaal %(n)s tekens.") % {"n": max_length}})
    return tekst


def plus_maanden(dag: date, maanden: int) -> date:
    """The same day ``maanden`` later (the last day of a shorter month)."""
    index = dag.month - 1 + maanden
    jaar, maand = dag.year + index // 12, index % 12 + 1
    return dag.replace(
        year=jaar, month=maand, day=min(dag.day, calendar.monthrange(jaar, maand)[1])
    )


def _datum(tekst: str) -> date | None:
    for formaat in ("%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(tekst, formaat).date()
        except ValueError:
            continue
    return None


def _als_tekst(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return "" if value is None else str(value)


@_door_privacy_officer
def verzoek_registreren(
    *,
    soort: str,
    huishouden: Huishouden,
    by: Any,
    reden: str,
    ontvangen_op: date | None = None,
    gezinslid: Gezinslid | None = None,
    veld: str = "",
    nieuwe_waarde: str = "",
    request: Any = None,
) -> Rechtenverzoek:
    """Register a resident's request (received ``ontvangen_op``, default today)."""
    if soort not in Verzoeksoort.values:
        raise ValidationError({"soort": _("Kies de soort verzoek.")})
    tekst = require_text(
        reden, field="reden", message=_("Geef aan wat de inwoner vraagt."), max_length=MAX_TEKST
    )
    if huishouden.is_vernietigd:
        raise CasusConflict(_("De gegevens van dit huishouden zijn al vernietigd."))
    vandaag = timezone.localdate()
    ontvangen_op = ontvangen_op or vandaag
    if ontvangen_op > vandaag:
        raise ValidationError({"ontvangen_op": _("De ontvangstdatum ligt in de toekomst.")})
    if soort == Verzoeksoort.BEPERKING and not huishouden.casussen.exists():
        raise ValidationError(
            {"soort": _("Dit huishouden heeft geen casus; er valt niets te beperken.")}
        )
    nieuw = None
    if soort == Verzoeksoort.CORRECTIE:
        if gezinslid is None or gezinslid.huishouden_id != huishouden.pk:
            raise ValidationError({"gezinslid": _("Kies het gezinslid dat het betreft.")})
        if veld not in CORRIGEERBAAR:
            raise ValidationError({"veld": _("Kies het gegeven dat gecorrigeerd moet worden.")})
        nieuw = _als_tekst(_waarde(veld, nieuwe_waarde))
    elif gezinslid is not None or veld:
        veld, gezinslid = "", None
    verzoek = Rechtenverzoek.objects.create(
        soort=soort,
        huishouden=huishouden,
        gezinslid_id=gezinslid.pk if gezinslid else None,
        veld=veld,
        ontvangen_op=ontvangen_op,
        termijn=plus_maanden(ontvangen_op, TERMIJN_MAANDEN),
        ingediend_door=by,
    )
    _stap(verzoek, Verzoekstap.Soort.INGEDIEND, by=by, tekst=tekst, nieuwe_waarde=nieuw)
    _audit(by=by, actie=Actie.CREATE, verzoek=verzoek, stap="ingediend", request=request)
    return verzoek


def _stap(verzoek: Rechtenverzoek, soort: str, *, by: Any, tekst: str, **waarden: Any) -> None:
    stap = Verzoekstap(verzoek=verzoek, soort=soort, tekst=tekst, door=by, **waarden)
    stap.verzoek = verzoek
    stap.save(force_insert=True)


def _lock(verzoek: Rechtenverzoek) -> Rechtenverzoek:
    return (
        Rechtenverzoek.objects.select_for_update(of=("self",))
        .select_related("huishouden__data_key")
        .get(pk=verzoek.pk)
    )


@_door_privacy_officer
def verzoek_verlengen(
    *, verzoek: Rechtenverzoek, by: Any, reden: str, request: Any = None
) -> Rechtenverzoek:
    """Extend the deadline once by two months (art. 12 lid 3), with the reason."""
    tekst = require_text(
        reden,
        field="reden",
        message=_("Geef aan waarom meer tijd nodig is."),
        max_length=MAX_TEKST,
    )
    current = _lock(verzoek)
    if not current.is_open:
        raise CasusConflict(_("Over dit verzoek is al besloten."))
    if current.verlengd:
        raise CasusConflict(_("De termijn is al eens verlengd; dat kan maar één keer."))
    current.termijn = plus_maanden(current.ontvangen_op, TERMIJN_MAANDEN + VERLENGING_MAANDEN)
    current.verlengd = True
    current.save(update_fields=["termijn", "verlengd"])
    _stap(current, Verzoekstap.Soort.VERLENGD, by=by, tekst=tekst)
    _audit(by=by, actie=Actie.UPDATE, verzoek=current, stap="verlengd", request=request)
    return current


def _casus_van(huishouden_id: Any) -> Casus | None:
    """The household's casus to tell the consulent on: the open one, else the latest."""
    return (
        Casus.objects.select_for_update()
        .filter(huishouden_id=huishouden_id)
        .order_by("closed_at", "-opened_at")
        .first()
    )


def _tijdlijn(casus: Casus | None, *, soort: str, by: Any, tekst: str) -> None:
    if casus is None:
        return
    Casus.objects.filter(pk=casus.pk).update(version=casus.version + 1)
    casus.version += 1
    entry = timeline_entry(casus=casus, soort=soort, by=by, tekst=tekst)
    events.emit(
        "casus.bijgewerkt", casus=casus, data={"onderdeel": "tijdlijn", "object_id": entry.pk}
    )


def _corrigeren(verzoek: Rechtenverzoek, *, by: Any, reden: str) -> None:
    lid = (
        Gezinslid.objects.select_for_update(of=("self",))
        .filter(pk=str(verzoek.gezinslid_id))
        .first()
    )
    if verzoek.gezinslid_id is None or lid is None:
        raise CasusConflict(_("Dit gezinslid bestaat niet meer; corrigeren kan niet."))
    ingediend = verzoek.stappen.get(soort=Verzoekstap.Soort.INGEDIEND)
    oud = _als_tekst(getattr(lid, verzoek.veld))
    setattr(lid, verzoek.veld, _waarde(verzoek.veld, ingediend.nieuwe_waarde or ""))
    indexen = [
        f.name
        for f in Gezinslid._meta.concrete_fields
        if isinstance(f, BlindIndexField) and verzoek.veld in f.source
    ]
    lid.save(update_fields=[verzoek.veld, *indexen])
    if verzoek.veld in ("postcode", "huisnummer"):
        huishouden_buurt_bepalen(
            huishouden=Huishouden.objects.get(pk=lid.huishouden_id),
            postcode=lid.postcode,
            huisnummer=lid.huisnummer,
            adres_gecorrigeerd=True,
        )
    _stap(
        verzoek,
        Verzoekstap.Soort.UITGEVOERD,
        by=by,
        tekst=reden,
        oude_waarde=oud,
        nieuwe_waarde=ingediend.nieuwe_waarde,
    )
    naam = CORRIGEERBAAR[verzoek.veld]
    _tijdlijn(
        _casus_van(verzoek.huishouden_id),
        soort=TimelineEntry.Soort.CORRECTIE,
        by=by,
        tekst=_(
            "De %(veld)s is op verzoek van de inwoner gecorrigeerd (AVG art. 16). "
            "Was: %(oud)s. Nu: %(nieuw)s."
        )
        % {"veld": naam, "oud": oud or "—", "nieuw": ingediend.nieuwe_waarde or "—"},
    )
    verzoek.status = Verzoekstatus.UITGEVOERD


def _beperken(verzoek: Rechtenverzoek, beperkt: bool) -> None:
    Casus.objects.filter(huishouden_id=verzoek.huishouden_id).update(beperkt=beperkt)


def _wissen(verzoek: Rechtenverzoek, *, by: Any) -> None:
    reden = _("Verzoek tot wissing %(ref)s toegewezen (AVG art. 17)") % {"ref": verzoek.referentie}
    try:
        destroy_household(huishouden=verzoek.huishouden, by=by, reden=reden)
    except VernietigingGeweigerd as exc:
        raise CasusConflict(exc.message) from None
    verzoek.status = Verzoekstatus.UITGEVOERD


@_door_privacy_officer
def verzoek_besluiten(
    *, verzoek: Rechtenverzoek, toewijzen: bool, by: Any, reden: str, request: Any = None
) -> Rechtenverzoek:
    """Grant or refuse, with the reason; a granted request takes effect at once."""
    tekst = require_text(
        reden, field="reden", message=_("Geef de reden van het besluit."), max_length=MAX_TEKST
    )
    current = _lock(verzoek)
    if not current.is_open:
        raise CasusConflict(_("Over dit verzoek is al besloten."))
    current.besloten_door, current.besloten_op = by, timezone.now()
    velden = [current.soort]
    if not toewijzen:
        current.status = Verzoekstatus.AFGEWEZEN
        _stap(current, Verzoekstap.Soort.AFGEWEZEN, by=by, tekst=tekst)
    elif current.soort == Verzoeksoort.CORRECTIE:
        _corrigeren(current, by=by, reden=tekst)
        velden = [current.veld]
    elif current.soort == Verzoeksoort.BEPERKING:
        _beperken(current, True)
        current.status = Verzoekstatus.TOEGEWEZEN
        _stap(current, Verzoekstap.Soort.TOEGEWEZEN, by=by, tekst=tekst)
    elif current.soort == Verzoeksoort.BEZWAAR:
        current.status = Verzoekstatus.TOEGEWEZEN
        _stap(current, Verzoekstap.Soort.TOEGEWEZEN, by=by, tekst=tekst)
        _tijdlijn(
            _casus_van(current.huishouden_id),
            soort=TimelineEntry.Soort.BEZWAAR,
            by=by,
            tekst=_("Bezwaar van de inwoner tegen de verwerking toegewezen: %(reden)s")
            % {"reden": tekst},
        )
    else:
        _stap(current, Verzoekstap.Soort.TOEGEWEZEN, by=by, tekst=tekst)
        _wissen(current, by=by)
    current.save(update_fields=["status", "besloten_door", "besloten_op"])
    _audit(
        by=by,
        actie=Actie.SHRED if current.soort == Verzoeksoort.WISSING and toewijzen else Actie.UPDATE,
        verzoek=current,
        stap=current.status,
        velden=velden,
        request=request,
    )
    return current


@_door_privacy_officer
def beperking_opheffen(
    *, verzoek: Rechtenverzoek, by: Any, reden: str, request: Any = None
) -> Rechtenverzoek:
    """Lift a restriction in force: the casussen are open to their team again."""
    tekst = require_text(
        reden,
        field="reden",
        message=_("Geef aan waarom de beperking wordt opgeheven."),
        max_length=MAX_TEKST,
    )
    current = _lock(verzoek)
    if current.soort != Verzoeksoort.BEPERKING or current.status != Verzoekstatus.TOEGEWEZEN:
        raise CasusConflict(_("Op dit verzoek rust geen beperking die opgeheven kan worden."))
    current.status = Verzoekstatus.OPGEHEVEN
    current.save(update_fields=["status"])
    nog_beperkt = Rechtenverzoek.objects.filter(
        huishouden_id=current.huishouden_id,
        soort=Verzoeksoort.BEPERKING,
        status=Verzoekstatus.TOEGEWEZEN,
    ).exists()
    if not nog_beperkt:
        _beperken(current, False)
    _stap(current, Verzoekstap.Soort.OPGEHEVEN, by=by, tekst=tekst)
    _audit(by=by, actie=Actie.UPDATE, verzoek=current, stap="opgeheven", request=request)
    return current
