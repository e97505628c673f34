"""The privacy officer's console."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.models import Actie, Doel
from audit.services import record
from toegang.access import role_required
from toegang.roles import Rol


@role_required(Rol.PRIVACY_OFFICER)
def console(request: HttpRequest) -> HttpResponse:
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.AUDIT,
        object_type="audit_console",
        request=request,
    )
    return render(request, "audit/console.html", {})
