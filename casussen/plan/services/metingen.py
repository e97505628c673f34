"""Metingen: the brede uitvraag and evaluations on the six dimensions of Positieve Gezondheid."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.apps import apps
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from casussen.plan.constants import DIMENSIES, MetingSoort
from casussen.plan.models import Meting, Plan, UitvraagNotitie
from casussen.plan.services._common import CREATE, audit_write, emit_plan_event, require_open
from casussen.plan.services.validation import (
    MAX_NOTITIE,
    clean_date,
    clean_leefgebieden,
    clean_scores,
    clean_text,
    raise_if,
)


def _check(
    casus: Any,
    *,
    soort: str,
    datum: Any,
    gezinslid: Any,
    scores: Mapping[str, Any],
    toelichtingen: Mapping[str, str],
    notities: Mapping[str, str],
) -> tuple[dict[str, list[str]], dict[str, int], dict[str, str], dict[str, str]]:
    errors: dict[str, list[str]] = {}
    if soort not in MetingSoort.values:
        errors["soort"] = [_("Kies brede uitvraag of evaluatie.")]
    if clean_date("datum", datum, errors) and datum > timezone.localdate():
        errors["datum"] = [_("De datum van een meting kan niet in de toekomst liggen.")]
    cleaned = clean_scores(scores, errors)
    if set(toelichtingen) - set(DIMENSIES):
        errors["toelichtingen"] = [_("Onbekende dimensie bij de toelichting.")]
    words = {
        code: clean_text(f"toelichting_{code}", toelichtingen.get(code), errors, required=False)
        for code in DIMENSIES
    }
    clean_leefgebieden(notities.keys(), errors)
    if notities and soort != MetingSoort.UITVRAAG:
        errors["notities"] = [_("Notities per leefgebied horen bij de brede uitvraag.")]
    notes = {
        code: clean_text(f"notitie_{code}", text, errors, required=False, max_length=MAX_NOTITIE)
        for code, text in notities.items()
    }
    gezinslid_model = apps.get_model("casussen", "Gezinslid")
    if gezinslid is not None and (
        not isinstance(gezinslid, gezinslid_model) or gezinslid.huishouden_id != casus.huishouden_id
    ):
        errors["gezinslid"] = [_("Kies een gezinslid van dit huishouden.")]
    return errors, cleaned, words, {k: v for k, v in notes.items() if v}


def meting_record(
    *,
    casus: Any,
    by: Any,
    soort: str,
    datum: date,
    scores: Mapping[str, Any],
    toelichtingen: Mapping[str, str] | None = None,
    notities: Mapping[str, str] | None = None,
    gezinslid: Any = None,
    request: HttpRequest | None = None,
) -> Meting:
    """Record the six scores (integers 0-10) with the resident's own words where given.

    ``notities`` (leefgebied code → note) belong to the brede uitvraag.
    """
    errors, cleaned, words, notes = _check(
        casus,
        soort=soort,
        datum=datum,
        gezinslid=gezinslid,
        scores=scores,
        toelichtingen=toelichtingen or {},
        notities=notities or {},
    )
    raise_if(errors)
    require_open(casus)
    with transaction.atomic():
        meting = Meting(
            huishouden_id=casus.huishouden_id,
            casus=casus,
            gezinslid=gezinslid,
            soort=soort,
            datum=datum,
            afgenomen_door=by,
            **cleaned,
            **{f"toelichting_{code}": text or None for code, text in words.items()},
        )
        meting.save(force_insert=True)
        for leefgebied, text in notes.items():
            UitvraagNotitie(meting=meting, leefgebied=leefgebied, notitie=text).save(
                force_insert=True
            )
        velden = [*DIMENSIES, *(f"toelichting_{c}" for c, t in words.items() if t)]
        velden += [f"notitie_{code}" for code in notes]
        audit_write(
            by=by,
            actie=CREATE,
            casus=casus,
            object_type="meting",
            object_id=meting.pk,
            velden=velden,
            request=request,
            persoon_ids=[gezinslid.pk] if gezinslid is not None else [],
        )
        plan = Plan.objects.select_for_update().filter(huishouden_id=casus.huishouden_id).first()
        if plan is not None:
            plan.revisie += 1
            plan.save(update_fields=["revisie"])
        emit_plan_event(
            casus=casus,
            plan=plan,
            onderdeel="meting",
            object_id=meting.pk,
            meting_soort=meting.soort,
            datum=meting.datum.isoformat(),
            **meting.scores(),
        )
    return meting


def evaluatie_record(
    *,
    casus: Any,
    by: Any,
    datum: date,
    scores: Mapping[str, Any],
    toelichtingen: Mapping[str, str] | None = None,
    gezinslid: Any = None,
    uitkomsten: Mapping[Any, str] | None = None,
    request: HttpRequest | None = None,
) -> Meting:
    """An evaluation: the six scores measured again, and goals judged (doel id → uitkomst)."""
    from casussen.plan.selectors import doel_get
    from casussen.plan.services.doelen import doel_beoordelen

    with transaction.atomic():
        meting = meting_record(
            casus=casus,
            by=by,
            soort=MetingSoort.EVALUATIE,
            datum=datum,
            scores=scores,
            toelichtingen=toelichtingen,
            gezinslid=gezinslid,
            request=request,
        )
        for doel_id, uitkomst in (uitkomsten or {}).items():
            doel_beoordelen(
                doel=doel_get(casus=casus, doel_id=doel_id),
                casus=casus,
                by=by,
                uitkomst=uitkomst,
                datum=datum,
                request=request,
            )
    return meting
