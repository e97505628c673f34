"""Lists: "Mijn casussen" and the teamleider's caseload."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.models import Actie, Doel
from audit.services import record
from casussen import leefgebieden as lg
from casussen.forms import FilterForm
from casussen.selectors import (
    Filters,
    caseload_for_team,
    casussen_page,
    team_casussen_van,
    zonder_aanspreekpunt_count,
)
from toegang.access import role_required
from toegang.roles import Rol


def _filters(form: FilterForm) -> Filters:
    if not form.is_valid():
        return Filters()
    data = form.cleaned_data
    return Filters(
        status=data["status"] or "open",
        leefgebied=data["leefgebied"] or "",
        urgent=bool(data["urgent"]),
        activiteit_dagen=data["activiteit"],
        sort=data["sort"] or Filters.sort,
    )


@role_required(Rol.CONSULENT)
def mijn_casussen(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = _filters(form)
    try:
        page = casussen_page(user=request.user, filters=filters, cursor=request.GET.get("na"))
    except ValidationError:
        page = casussen_page(user=request.user, filters=filters)
    if page.items:
        record(
            actor=request.user,
            actie=Actie.READ,
            doel=Doel.CASUSBEHANDELING,
            object_type="casus",
            object_ids=[c.pk for c in page.items],
            huishouden_ids=[c.huishouden_id for c in page.items],
            velden=["achternaam"],
            request=request,
        )
    query = request.GET.copy()
    query.pop("na", None)
    context = {
        "form": form,
        "page": page,
        "rijen": [
            (c, [c.eerste_lid] if c.eerste_lid else [], [lg.label(code) for code in c.leefgebieden])  # type: ignore[attr-defined]
            for c in page.items
        ],
        "query": query.urlencode(),
    }
    htmx = getattr(request, "htmx", False)
    template = "casussen/_casussen_tabel.html" if htmx else "casussen/mijn_casussen.html"
    return render(request, template, context)


@role_required(Rol.TEAMLEIDER)
def caseload(request: HttpRequest) -> HttpResponse:
    team = request.user.team  # type: ignore[union-attr]
    rijen = caseload_for_team(team=team)
    gekozen = next(
        (r.consulent for r in rijen if str(r.consulent.pk) == request.GET.get("consulent")), None
    )
    zonder = request.GET.get("zonder") == "1" and not gekozen
    casussen = (
        team_casussen_van(team=team, consulent_id=gekozen.pk if gekozen else None)
        if gekozen or zonder
        else []
    )
    if casussen:
        record(
            actor=request.user,
            actie=Actie.READ,
            doel=Doel.CASUSBEHANDELING,
            object_type="casus",
            object_ids=[c.pk for c in casussen],
            huishouden_ids=[c.huishouden_id for c in casussen],
            velden=["referentie", "status", "urgent"],
            request=request,
        )
    return render(
        request,
        "casussen/caseload.html",
        {
            "rijen": rijen,
            "zonder_aanspreekpunt": zonder_aanspreekpunt_count(team=team),
            "gekozen": gekozen,
            "zonder": zonder,
            "casussen": casussen,
        },
    )
