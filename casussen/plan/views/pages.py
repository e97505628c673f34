"""Read pages: the plan, the case-page fragment, versions with their diff, a meting."""

from __future__ import annotations

import json
import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from casussen.plan import presenters
from casussen.plan.access import audit_read, casus_for_read
from casussen.plan.constants import DIMENSIES, Dimensie
from casussen.plan.selectors import (
    meting_get,
    plan_for_casus,
    plan_with_content,
    versie_get,
    versies_for_plan,
)
from casussen.plan.services.versies import versie_aanwezig
from casussen.selectors import casus_get_for_user
from toegang.access import role_required
from toegang.roles import Rol

ROLLEN = (Rol.CONSULENT,)  # betrokkenen are consulenten too (casussen rule)
PLAN_VELDEN = ["doelen", "acties", "metingen"]


def _can_change(request: HttpRequest, casus_id: uuid.UUID) -> bool:
    try:
        casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
    except Http404:
        return False
    return True


@role_required(*ROLLEN)
def plan_page(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_for_read(request, casus_id)
    plan = plan_with_content(casus=casus)
    context = presenters.plan_page_context(
        plan, casus=casus, user=request.user, can_change=_can_change(request, casus_id)
    )
    audit_read(
        request,
        casus=casus,
        object_type="plan",
        object_id=plan.pk if plan else casus.pk,
        velden=PLAN_VELDEN,
    )
    template = (
        "casussen/plan/_plan_inhoud.html"
        if getattr(request, "htmx", False)
        else "casussen/plan/plan.html"
    )
    return render(request, template, context)


@role_required(*ROLLEN)
def fragment(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    """The plan on the case page (spinnenweb, trend, goals); refreshed live by live.js."""
    casus = casus_for_read(request, casus_id)
    plan = plan_with_content(casus=casus)
    blokken = (
        presenters.doel_blokken(plan, casus=casus, user=request.user, can_change=False)
        if plan
        else []
    )
    audit_read(
        request,
        casus=casus,
        object_type="plan",
        object_id=plan.pk if plan else casus.pk,
        velden=PLAN_VELDEN,
    )
    return render(
        request,
        "casussen/plan/_fragment.html",
        {
            "casus": casus,
            "plan": plan,
            "blokken": blokken,
            "grafieken": presenters.grafieken_for_casus(casus),
            "can_change": _can_change(request, casus_id),
            "volgende_stap": presenters.volgende_stap(plan, casus),
        },
    )


@role_required(*ROLLEN)
def versies(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_for_read(request, casus_id)
    plan = plan_for_casus(casus=casus)
    rows = list(versies_for_plan(plan=plan)) if plan else []
    audit_read(
        request,
        casus=casus,
        object_type="plan",
        object_id=plan.pk if plan else casus.pk,
        velden=["versies"],
    )
    return render(
        request, "casussen/plan/versies.html", {"casus": casus, "plan": plan, "versies": rows}
    )


@role_required(*ROLLEN)
def versie(request: HttpRequest, casus_id: uuid.UUID, nummer: int) -> HttpResponse:
    """One vastgestelde version (read-only) and what changed since the version before it."""
    casus = casus_for_read(request, casus_id)
    plan = plan_for_casus(casus=casus)
    if plan is None:
        raise Http404
    planversie = versie_get(plan=plan, nummer=nummer)
    inhoud = json.loads(planversie.inhoud)
    vorige = versies_for_plan(plan=plan).filter(nummer__lt=nummer).order_by("-nummer").first()
    weergave = presenters.weergave_for(casus)
    wijzigingen = presenters.diff_regels(
        json.loads(vorige.inhoud) if vorige else None, inhoud, weergave
    )
    audit_read(
        request,
        casus=casus,
        object_type="planversie",
        object_id=planversie.pk,
        velden=["inhoud", "aanwezig"],
    )
    return render(
        request,
        "casussen/plan/versie.html",
        {
            "casus": casus,
            "plan": plan,
            "versie": planversie,
            "vorige": vorige,
            "aanwezig": versie_aanwezig(planversie),
            "doelen": _snapshot_doelen(inhoud, weergave),
            "wijzigingen": wijzigingen,
        },
    )


def _snapshot_doelen(inhoud: dict, weergave: presenters.diff.Weergave) -> list[dict]:
    """The snapshot's goals and actions with display values for the read-only page."""
    doelen = []
    for doel in inhoud.get("doelen", []):
        doelen.append(
            {
                "tekst": doel["tekst"],
                "voor_wie": weergave.waarde("gezinsleden", doel.get("gezinsleden")),
                "dimensies": weergave.waarde("dimensies", doel.get("dimensies")),
                "leefgebieden": weergave.waarde("leefgebieden", doel.get("leefgebieden")),
                "acties": [
                    {
                        name: weergave.waarde(name, actie.get(name))
                        for name in presenters.diff.ACTIE_VELDEN
                    }
                    for actie in doel.get("acties", [])
                ],
            }
        )
    return doelen


@role_required(*ROLLEN)
def meting(request: HttpRequest, casus_id: uuid.UUID, meting_id: uuid.UUID) -> HttpResponse:
    """One meting with the resident's words and (uitvraag) the notes per leefgebied."""
    casus = casus_for_read(request, casus_id)
    row = meting_get(casus=casus, meting_id=meting_id)
    toelichtingen = row.toelichtingen()
    rijen = [(Dimensie(code).label, getattr(row, code), toelichtingen[code]) for code in DIMENSIES]
    notities = [
        (presenters.leefgebieden.label(n.leefgebied), n.notitie) for n in row.notities.all()
    ]
    audit_read(
        request,
        casus=casus,
        object_type="meting",
        object_id=row.pk,
        velden=[*DIMENSIES, "toelichtingen", "notities"],
        persoon_ids=[row.gezinslid_id] if row.gezinslid_id else [],
    )
    grafiek = presenters.charts.spinnenweb_svg(
        reeksen=[presenters.charts.Reeks(row.get_soort_display(), row.scores())],
        titel=f"Spinnenweb van de {row.get_soort_display().lower()}",
        id_prefix="meting-web",
    )
    return render(
        request,
        "casussen/plan/meting.html",
        {
            "casus": casus,
            "meting": row,
            "rijen": rijen,
            "notities": notities,
            "grafiek": grafiek,
            "persoon": presenters.gezinslid_naam(row.gezinslid),
        },
    )
