"""The resident's printout: a print-CSS page and a PDF, both audited (print, export)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.models import Actie as AuditActie
from casussen.plan.access import audit_read, casus_for_read
from casussen.plan.pdf import plan_pdf
from casussen.plan.selectors import afdruk_for_plan, plan_for_casus
from casussen.plan.views.pages import ROLLEN
from toegang.access import role_required

AFDRUK_VELDEN = ["doelen", "acties", "scores"]


def _organisatie(request: HttpRequest) -> str:
    organisatie = getattr(request.user, "organisatie", None)
    return organisatie.naam if organisatie is not None else "de gemeente"


@role_required(*ROLLEN)
def afdrukken(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_for_read(request, casus_id)
    afdruk = afdruk_for_plan(casus=casus, organisatie=_organisatie(request))
    plan = plan_for_casus(casus=casus)
    audit_read(
        request,
        casus=casus,
        object_type="plan",
        object_id=plan.pk if plan else casus.pk,
        velden=AFDRUK_VELDEN,
        actie=AuditActie.PRINT,
    )
    return render(request, "casussen/plan/afdruk.html", {"casus": casus, "afdruk": afdruk})


@role_required(*ROLLEN)
def pdf(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_for_read(request, casus_id)
    afdruk = afdruk_for_plan(casus=casus, organisatie=_organisatie(request))
    plan = plan_for_casus(casus=casus)
    content = plan_pdf(afdruk)
    audit_read(
        request,
        casus=casus,
        object_type="plan",
        object_id=plan.pk if plan else casus.pk,
        velden=AFDRUK_VELDEN,
        actie=AuditActie.EXPORT,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="plan.pdf"'
    response["Cache-Control"] = "no-store"
    return response
