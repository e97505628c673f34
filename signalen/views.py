"""Pages of the melder: a new signal and the status of their organisation's signals."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from toegang.access import role_required
from toegang.roles import Rol


@role_required(Rol.MELDER)
def nieuw(request: HttpRequest) -> HttpResponse:
    return render(request, "signalen/nieuw.html", {})


@role_required(Rol.CONSULENT, Rol.TEAMLEIDER)
def aanmeldingen(request: HttpRequest) -> HttpResponse:
    return render(request, "signalen/aanmeldingen.html", {"aanmeldingen": []})


@role_required(Rol.MELDER)
def mijn_signalen(request: HttpRequest) -> HttpResponse:
    return render(request, "signalen/mijn_signalen.html", {"signalen": []})
