"""Writes of the overleg: sessions, casusinbreng, publishing, the current item, afspraken.

Every write is audited with purpose ``overleg``; refusals that the issue asks to be
403/404 raise ``PermissionDenied`` / ``Http404`` and are audited by the caller
(:func:`audit_refusal`), outside the refused transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie as AuditActie
from audit.models import Doel, Uitkomst
from audit.services import record
from casussen import leefgebieden as lg
from casussen.models.casus import Casus, TimelineEntry
from casussen.overleg import clock
from casussen.overleg.models import (
    Afspraak,
    AfspraakEigenaar,
    Agendapunt,
    Deelgrondslag,
    Overleg,
    Sessie,
)
from casussen.overleg.selectors import deelnemers_of, is_voorzitter, may_chair, window_open
from casussen.plan.constants import ActieStatus, EigenaarSoort, Trede
from casussen.plan.models import Actie
from casussen.plan.models import Doel as PlanDoel
from casussen.services._common import require_open, require_text
from casussen.services.casus import timeline_entry
from toegang import events
from toegang.models import User

AGGREGATE = "overleg"
MAX_SAMENVATTING = 2000


class GeenDeelgrondslag(PermissionDenied):
    """Bringing a casus in without a basis for sharing (403, audited)."""


def audit_refusal(
    *,
    by: Any,
    object_type: str,
    object_id: Any,
    reden: str,
    huishouden_id: Any = None,
    request: Any = None,
) -> None:
    """Record a refused overleg action (403/404); call it outside the refused transaction."""
    record(
        actor=by,
        actie=AuditActie.DENY,
        doel=Doel.OVERLEG,
        object_type=object_type,
        object_id=object_id,
        huishouden_id=huishouden_id,
        reden=reden,
        uitkomst=Uitkomst.DENIED,
        request=request,
    )


def _emit(event_type: str, *, sessie: Sessie, data: dict[str, Any]) -> None:
    """Queue ``event_type`` about the session (ids only) in the current transaction."""
    Sessie.objects.filter(pk=sessie.pk).update(versie=F("versie") + 1)
    sessie.refresh_from_db(fields=["versie"])
    events.emit(
        event_type,
        aggregate_type=AGGREGATE,
        aggregate_id=sessie.pk,
        version=sessie.versie,
        data=data,
    )


def _audit(
    *,
    by: Any,
    actie: str,
    object_type: str,
    object_id: Any,
    casus: Casus | None = None,
    velden: Iterable[str] = (),
    reden: str = "",
    request: Any = None,
) -> None:
    record(
        actor=by,
        actie=actie,
        doel=Doel.OVERLEG,
        object_type=object_type,
        object_id=object_id,
        huishouden_id=casus.huishouden_id if casus else None,
        velden=velden,
        reden=reden,
        request=request,
    )


@transaction.atomic
def overleg_create(
    *, naam: str, voorzitter: User, deelnemers: Iterable[User], schema: str, by: Any
) -> Overleg:
    naam = require_text(naam, field="naam", message=_("Geef het overleg een naam."), max_length=200)
    if not may_chair(voorzitter):
        raise ValidationError({"voorzitter": _("De voorzitter is een consulent of teamleider.")})
    overleg = Overleg.objects.create(naam=naam, voorzitter=voorzitter, schema=schema.strip())
    overleg.deelnemers.set(list(deelnemers))
    _audit(
        by=by,
        actie=AuditActie.CREATE,
        object_type="overleg",
        object_id=overleg.pk,
        velden=["naam", "voorzitter", "deelnemers"],
    )
    return overleg


@transaction.atomic
def sessie_plan(*, overleg: Overleg, begint_op: datetime, eindigt_op: datetime, by: Any) -> Sessie:
    """The chair plans the next session of ``overleg``."""
    if overleg.voorzitter_id != getattr(by, "pk", None) or not may_chair(by):
        raise Http404
    if eindigt_op <= begint_op:
        raise ValidationError({"eindigt_op": _("Het overleg moet eindigen na het begin.")})
    sessie = Sessie.objects.create(overleg=overleg, begint_op=begint_op, eindigt_op=eindigt_op)
    _audit(by=by, actie=AuditActie.CREATE, object_type="overlegsessie", object_id=sessie.pk)
    return sessie


def _clean_leefgebieden(codes: Iterable[str]) -> str:
    chosen = [c for c in codes if c in lg.LEEFGEBIEDEN]
    if not chosen:
        raise ValidationError({"leefgebieden": _("Kies minstens één leefgebied.")})
    return ",".join(dict.fromkeys(chosen))


def _check_grondslag(grondslag: str, toestemming_datum: date | None, toelichting: str) -> str:
    if grondslag not in Deelgrondslag.values:
        raise GeenDeelgrondslag(
            _("Een casus kan alleen worden ingebracht met een grondslag voor het delen.")
        )
    if grondslag == Deelgrondslag.TOESTEMMING:
        if toestemming_datum is None:
            raise ValidationError({"toestemming_datum": _("Vul de datum van de toestemming in.")})
        if toestemming_datum > timezone.localdate():
            raise ValidationError(
                {"toestemming_datum": _("De datum van de toestemming ligt in de toekomst.")}
            )
        message = _("Beschrijf waarvoor en met wie de inwoner toestemming gaf.")
    else:
        message = _("Licht toe waarom deze grondslag het delen rechtvaardigt.")
    return require_text(toelichting, field="toelichting", message=message, max_length=1000)


def casus_inbrengen(
    *,
    sessie: Sessie,
    casus: Casus,
    by: Any,
    hulpvraag: str,
    geprobeerd: str,
    vraag: str,
    leefgebieden: Iterable[str],
    grondslag: str,
    toestemming_datum: date | None,
    toelichting: str,
    gedeeld_met: Iterable[User],
    request: Any = None,
) -> Agendapunt:
    """The aanspreekpunt puts ``casus`` on the agenda with a casusinbreng.

    Without a basis for sharing: ``GeenDeelgrondslag`` (403); sharing with someone who
    is not a participant of the overleg: ``PermissionDenied`` (403). Both audited by the caller.
    """
    toelichting = _check_grondslag(grondslag, toestemming_datum, toelichting)
    teksten = {
        name: require_text(value, field=name, message=message, max_length=MAX_SAMENVATTING)
        for name, value, message in (
            ("hulpvraag", hulpvraag, _("Beschrijf de hulpvraag.")),
            ("geprobeerd", geprobeerd, _("Beschrijf wat al is geprobeerd.")),
            ("vraag", vraag, _("Wat is de vraag aan het overleg?")),
        )
    }
    codes = _clean_leefgebieden(leefgebieden)
    with transaction.atomic():
        casus = Casus.objects.select_for_update().get(pk=casus.pk)
        require_open(casus)
        if casus.aanspreekpunt_id != by.pk:
            raise PermissionDenied(_("Alleen het aanspreekpunt brengt een casus in."))
        sessie = Sessie.objects.select_for_update().get(pk=sessie.pk)
        if sessie.eindigt_op < clock.now():
            raise ValidationError({"sessie": _("Dit overleg is al voorbij.")})
        allowed = set(deelnemers_of(sessie.overleg).values_list("pk", flat=True))
        delen = list({u.pk: u for u in gedeeld_met}.values())
        if any(u.pk not in allowed for u in delen):
            raise PermissionDenied(_("U kunt alleen delen met deelnemers van dit overleg."))
        if sessie.agenda.filter(casus=casus).exists():
            raise ValidationError(
                {"sessie": _("Deze casus staat al op de agenda van dit overleg.")}
            )
        volgnummer = (
            sessie.agenda.order_by("-volgnummer").values_list("volgnummer", flat=True).first() or 0
        ) + 1
        punt = Agendapunt(
            sessie=sessie,
            casus=casus,
            volgnummer=volgnummer,
            ingebracht_door=by,
            leefgebieden=codes,
            grondslag=grondslag,
            toestemming_datum=toestemming_datum if grondslag == Deelgrondslag.TOESTEMMING else None,
            toelichting=toelichting,
            **teksten,
        )
        punt.save(force_insert=True)
        punt.gedeeld_met.set(delen)
        # The privacy officer reviews this record like noodtoegang (audit.review).
        record(
            actor=by,
            actie=AuditActie.CREATE,
            doel=Doel.OVERLEG,
            object_type="casusinbreng",
            object_id=punt.pk,
            object_ids=[u.pk for u in delen],
            huishouden_id=casus.huishouden_id,
            velden=[
                "hulpvraag",
                "geprobeerd",
                "vraag",
                "leefgebieden",
                "grondslag",
                "toelichting",
                "gedeeld_met",
            ],
            reden=f"{Deelgrondslag(grondslag).label}: {toelichting}",
            request=request,
        )
        if sessie.is_gepubliceerd:
            _emit(
                "overleg.agenda_gepubliceerd", sessie=sessie, data={"overleg_id": sessie.overleg_id}
            )
    return punt


def _require_voorzitter(sessie: Sessie, by: Any) -> None:
    if not is_voorzitter(by, sessie):
        raise Http404


@transaction.atomic
def sessie_publiceren(*, sessie: Sessie, by: Any, request: Any = None) -> Sessie:
    """The chair publishes the agenda: from now on participants see what is shared with them."""
    sessie = Sessie.objects.select_for_update().select_related("overleg").get(pk=sessie.pk)
    _require_voorzitter(sessie, by)
    if sessie.is_gepubliceerd:
        return sessie
    if not sessie.agenda.exists():
        raise ValidationError({"sessie": _("De agenda is nog leeg.")})
    sessie.gepubliceerd_op = clock.now()
    sessie.save(update_fields=["gepubliceerd_op"])
    _audit(
        by=by,
        actie=AuditActie.UPDATE,
        object_type="overlegsessie",
        object_id=sessie.pk,
        velden=["gepubliceerd_op"],
        request=request,
    )
    _emit("overleg.agenda_gepubliceerd", sessie=sessie, data={"overleg_id": sessie.overleg_id})
    return sessie


@transaction.atomic
def huidig_punt_kiezen(
    *, sessie: Sessie, punt: Agendapunt | None, by: Any, request: Any = None
) -> Sessie:
    """The chair moves the meeting to ``punt`` (None: pause); participants follow live."""
    sessie = Sessie.objects.select_for_update().select_related("overleg").get(pk=sessie.pk)
    _require_voorzitter(sessie, by)
    if not window_open(sessie):
        raise ValidationError({"sessie": _("Publiceer eerst de agenda.")})
    if punt is not None and punt.sessie_id != sessie.pk:
        raise Http404
    sessie.huidig_punt = punt
    sessie.save(update_fields=["huidig_punt"])
    if punt is not None and punt.besproken_op is None:
        Agendapunt.objects.filter(pk=punt.pk).update(besproken_op=clock.now())
    _audit(
        by=by,
        actie=AuditActie.UPDATE,
        object_type="overlegsessie",
        object_id=sessie.pk,
        velden=["huidig_punt"],
        request=request,
    )
    _emit(
        "overleg.huidig_punt_gewijzigd",
        sessie=sessie,
        data={"agendapunt_id": punt.pk if punt else None},
    )
    return sessie


@transaction.atomic
def aanwezigheid_vastleggen(
    *, sessie: Sessie, aanwezig: Iterable[User], by: Any, request: Any = None
) -> Sessie:
    """The chair records who attended (participants, the chair, who brought items in)."""
    sessie = Sessie.objects.select_for_update().select_related("overleg").get(pk=sessie.pk)
    _require_voorzitter(sessie, by)
    allowed = set(deelnemers_of(sessie.overleg).values_list("pk", flat=True))
    allowed |= set(sessie.agenda.values_list("ingebracht_door_id", flat=True)) | {
        sessie.overleg.voorzitter_id
    }
    people = [u for u in aanwezig if u.pk in allowed]
    sessie.aanwezigen.set(people)
    _audit(
        by=by,
        actie=AuditActie.UPDATE,
        object_type="overlegsessie",
        object_id=sessie.pk,
        velden=["aanwezigen"],
        request=request,
    )
    return sessie


def afspraak_vastleggen(
    *,
    punt: Agendapunt,
    by: Any,
    omschrijving: str,
    eigenaar_soort: str,
    organisatie: Any,
    datum: date | None,
    trede: Any,
    request: Any = None,
) -> Afspraak:
    """The chair records an afspraak; an owner and a date are required (form errors)."""
    errors: dict[str, list[str]] = {}
    text = (omschrijving or "").strip()
    if not text:
        errors["omschrijving"] = [_("Beschrijf de afspraak.")]
    elif len(text) > MAX_SAMENVATTING:
        errors["omschrijving"] = [_("Maximaal %(n)s tekens.") % {"n": MAX_SAMENVATTING}]
    if eigenaar_soort not in AfspraakEigenaar.values:
        errors["eigenaar_soort"] = [_("Kies wie de afspraak uitvoert.")]
    elif eigenaar_soort == AfspraakEigenaar.ORGANISATIE:
        orgs = set(deelnemers_of(punt.sessie.overleg).values_list("organisatie_id", flat=True))
        if organisatie is None or organisatie.pk not in orgs:
            errors["organisatie"] = [_("Kies de organisatie van een deelnemer.")]
    if not isinstance(datum, date):
        errors["datum"] = [_("Vul de datum in waarop de afspraak klaar moet zijn.")]
    try:
        trede_value = int(trede)
    except (TypeError, ValueError):
        trede_value = 0
    if trede_value not in Trede.values:
        errors["trede"] = [_("Kies een trede van 1 tot en met 4.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        sessie = Sessie.objects.select_for_update().select_related("overleg").get(pk=punt.sessie_id)
        _require_voorzitter(sessie, by)
        if not window_open(sessie):
            raise ValidationError({"omschrijving": _("De agenda is niet (meer) open.")})
        afspraak = Afspraak(
            agendapunt=punt,
            omschrijving=text,
            eigenaar_soort=eigenaar_soort,
            organisatie=organisatie if eigenaar_soort == AfspraakEigenaar.ORGANISATIE else None,
            datum=cast(date, datum),
            trede=trede_value,
            vastgelegd_door=by,
        )
        afspraak.save(force_insert=True)
        _audit(
            by=by,
            actie=AuditActie.CREATE,
            object_type="afspraak",
            object_id=afspraak.pk,
            casus=punt.casus,
            velden=["omschrijving", "eigenaar_soort", "datum", "trede"],
            request=request,
        )
        _emit(
            "overleg.afspraak_vastgelegd",
            sessie=sessie,
            data={
                "agendapunt_id": punt.pk,
                "afspraak_id": afspraak.pk,
                "organisatie_id": afspraak.organisatie_id,
            },
        )
    return afspraak


_EIGENAAR_SOORT = {
    AfspraakEigenaar.ORGANISATIE: EigenaarSoort.PARTNERORGANISATIE,
    AfspraakEigenaar.INWONER: EigenaarSoort.INWONER,
    AfspraakEigenaar.CONSULENT: EigenaarSoort.GEMEENTE,
}


def afspraak_bevestigen(
    *, afspraak: Afspraak, doel: PlanDoel, by: Any, reden_zwaar: str = "", request: Any = None
) -> Actie:
    """The aanspreekpunt confirms an afspraak: it becomes an action of ``doel`` on its trede."""
    from casussen.plan.services.acties import actie_add

    casus = afspraak.agendapunt.casus
    if casus.aanspreekpunt_id != by.pk:
        raise Http404
    if afspraak.actie_id is not None:
        raise ValidationError({"doel": _("Deze afspraak staat al in het plan.")})
    with transaction.atomic():
        locked = Afspraak.objects.select_for_update(of=("self",)).get(pk=afspraak.pk)
        if locked.actie_id is not None:
            raise ValidationError({"doel": _("Deze afspraak staat al in het plan.")})
        actie = actie_add(
            doel=doel,
            casus=casus,
            by=by,
            omschrijving=afspraak.omschrijving,
            eigenaar_soort=_EIGENAAR_SOORT[AfspraakEigenaar(afspraak.eigenaar_soort)],
            eigenaar=by if afspraak.eigenaar_soort == AfspraakEigenaar.CONSULENT else None,
            eigenaar_omschrijving=afspraak.organisatie.naam if afspraak.organisatie else "",
            deadline=afspraak.datum,
            trede=afspraak.trede,
            reden_zwaar=reden_zwaar,
            request=request,
        )
        if afspraak.organisatie_id:
            Actie.objects.filter(pk=actie.pk).update(eigenaar_organisatie=afspraak.organisatie_id)
            actie.eigenaar_organisatie_id = afspraak.organisatie_id
        locked.actie = actie
        locked.save(update_fields=["actie"])
        _audit(
            by=by,
            actie=AuditActie.UPDATE,
            object_type="afspraak",
            object_id=afspraak.pk,
            casus=casus,
            velden=["actie"],
            request=request,
        )
    return actie


def afspraak_status_set(*, afspraak: Afspraak, status: str, by: Any, request: Any = None) -> Actie:
    """A participant of the owner organisation updates the status of its own action."""
    from casussen.plan.services.acties import actie_status_set

    if afspraak.actie is None:
        raise ValidationError({"status": [_("Deze afspraak staat nog niet in het plan.")]})
    return actie_status_set(
        actie=afspraak.actie,
        casus=afspraak.agendapunt.casus,
        by=by,
        status=status,
        request=request,
    )


@transaction.atomic
def verslag_vastleggen(*, punt: Agendapunt, tekst: str, by: Any, request: Any = None) -> Agendapunt:
    """The chair's verslag of one item, sealed with the casus (and on its timeline)."""
    tekst = require_text(tekst, field="verslag", message=_("Schrijf het verslag."), max_length=5000)
    sessie = Sessie.objects.select_related("overleg").get(pk=punt.sessie_id)
    _require_voorzitter(sessie, by)
    punt = Agendapunt.objects.select_for_update().get(pk=punt.pk)
    punt.verslag = tekst
    punt.save(update_fields=["verslag"])
    timeline_entry(casus=punt.casus, soort=TimelineEntry.Soort.OVERLEG, by=by, tekst=tekst)
    _audit(
        by=by,
        actie=AuditActie.UPDATE,
        object_type="agendapunt",
        object_id=punt.pk,
        casus=punt.casus,
        velden=["verslag"],
        request=request,
    )
    return punt


__all__ = [
    "ActieStatus",
    "GeenDeelgrondslag",
    "aanwezigheid_vastleggen",
    "afspraak_bevestigen",
    "afspraak_status_set",
    "afspraak_vastleggen",
    "audit_refusal",
    "casus_inbrengen",
    "huidig_punt_kiezen",
    "overleg_create",
    "sessie_plan",
    "sessie_publiceren",
    "verslag_vastleggen",
]
