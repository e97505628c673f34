"""Vaststellen: agree a version of the plan with the resident and keep a sealed snapshot."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from casussen.models import Casus
from casussen.plan.constants import PlanStatus
from casussen.plan.errors import PlanError
from casussen.plan.models import Actie, Doel, Plan, PlanVersie
from casussen.plan.services._common import (
    CREATE,
    audit_write,
    check_versie,
    emit_plan_event,
    locked_plan,
    mark_changed,
)
from casussen.plan.services.validation import clean_date, raise_if
from casussen.services.casus import casus_set_status


def _actie_data(actie: Actie) -> dict[str, Any]:
    return {
        "id": str(actie.pk),
        "omschrijving": actie.omschrijving,
        "eigenaar_soort": actie.eigenaar_soort,
        "eigenaar_id": actie.eigenaar_id,
        "eigenaar_omschrijving": actie.eigenaar_omschrijving or "",
        "deadline": actie.deadline.isoformat(),
        "trede": actie.trede,
        "status": actie.status,
        "reden_zwaar": actie.reden_zwaar or "",
    }


def _doel_data(doel: Doel) -> dict[str, Any]:
    return {
        "id": str(doel.pk),
        "tekst": doel.tekst,
        "dimensies": list(doel.dimensies),
        "leefgebieden": list(doel.leefgebieden),
        "gezinsleden": sorted(str(g.pk) for g in doel.gezinsleden.all()),
        "uitkomst": doel.uitkomst or "",
        "acties": [_actie_data(a) for a in doel.acties.all()],
    }


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The plan's current content as plain data (decrypts every text of the plan)."""
    doelen = Doel.objects.filter(plan=plan).prefetch_related("gezinsleden", "acties")
    return {
        "startdatum": plan.startdatum.isoformat(),
        "doelen": [_doel_data(doel) for doel in doelen],
    }


def _clean_aanwezig(aanwezig: str | Sequence[str], errors: dict[str, list[str]]) -> list[str]:
    items = aanwezig.splitlines() if isinstance(aanwezig, str) else list(aanwezig)
    names = [str(item).strip() for item in items if str(item).strip()]
    if not names:
        errors["aanwezig"] = [_("Vul in wie er bij het vaststellen aanwezig waren.")]
    elif any(len(name) > 200 for name in names) or len(names) > 20:
        errors["aanwezig"] = [_("Noem maximaal 20 aanwezigen van elk maximaal 200 tekens.")]
    return names


def plan_vaststellen(
    *,
    plan: Plan,
    casus: Any,
    by: Any,
    datum: date,
    aanwezig: str | Sequence[str],
    versie: int | None = None,
    request: HttpRequest | None = None,
) -> PlanVersie:
    """Mark the current version as agreed with the resident (date and who was present)."""
    errors: dict[str, list[str]] = {}
    if clean_date("datum", datum, errors) and datum > timezone.localdate():
        errors["datum"] = [_("De datum van vaststellen kan niet in de toekomst liggen.")]
    names = _clean_aanwezig(aanwezig, errors)
    raise_if(errors)
    with transaction.atomic():
        plan = locked_plan(plan=plan, casus=casus)
        check_versie(plan, versie)
        if plan.status == PlanStatus.VASTGESTELD:
            raise PlanError(_("Deze versie van het plan is al vastgesteld."))
        snapshot = plan_snapshot(plan)
        if not snapshot["doelen"]:
            raise PlanError(_("Een plan zonder doelen kan niet worden vastgesteld."))
        planversie = PlanVersie(
            plan=plan,
            nummer=plan.versie,
            vastgesteld_op=datum,
            vastgesteld_door=by,
            aanwezig=json.dumps(names, ensure_ascii=False),
            inhoud=json.dumps(snapshot, ensure_ascii=False),
        )
        planversie.save(force_insert=True)
        plan.status = PlanStatus.VASTGESTELD
        plan.save(update_fields=["status"])
        mark_changed(plan, inhoud=False)
        audit_write(
            by=by,
            actie=CREATE,
            casus=casus,
            object_type="planversie",
            object_id=planversie.pk,
            velden=["vastgesteld_op", "aanwezig", "inhoud"],
            request=request,
        )
        emit_plan_event(casus=casus, plan=plan, onderdeel="vaststelling", object_id=planversie.pk)
        _casus_to_plan_vastgesteld(casus, by)
    return planversie


def _casus_to_plan_vastgesteld(casus: Any, by: Any) -> None:
    """A first agreed plan moves an aangemelde / in behandeling casus on (casussen's service)."""
    current = Casus.objects.get(pk=casus.pk)
    if current.status in (Casus.Status.AANGEMELD, Casus.Status.IN_BEHANDELING):
        casus_set_status(
            casus=current, status=Casus.Status.PLAN_VASTGESTELD, version=current.version, by=by
        )


def versie_inhoud(planversie: PlanVersie) -> dict[str, Any]:
    return json.loads(planversie.inhoud)


def versie_aanwezig(planversie: PlanVersie) -> list[str]:
    return list(json.loads(planversie.aanwezig))
