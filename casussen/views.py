"""Pages of the consultants, team leads and policy advisors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from toegang.access import role_required
from toegang.roles import Rol


@role_required(Rol.CONSULENT, Rol.TEAMLEIDER)
def mijn_casussen(request: HttpRequest) -> HttpResponse:
    return render(request, "casussen/mijn_casussen.html", {"casussen": []})


@role_required(Rol.TEAMLEIDER)
def caseload(request: HttpRequest) -> HttpResponse:
    return render(request, "casussen/caseload.html", {"rijen": []})


@role_required(Rol.BELEIDSADVISEUR)
def monitor(request: HttpRequest) -> HttpResponse:
    return render(request, "casussen/monitor.html", {})
