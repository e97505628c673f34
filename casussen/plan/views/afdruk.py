"""The resident's printout: a print-CSS page and a PDF, both audited (print, export)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from audit.models import Actie as AuditActie
from casussen.plan.access import audit_read, casus_for_read
from casussen.plan.afdruk import Afdruk
from casussen.plan.charts import Reeks, spinnenweb_svg
from casussen.plan.constants import DIMENSIES
from casussen.plan.pdf import contact_regels, plan_pdf
from casussen.plan.selectors import afdruk_for_plan, plan_for_casus
from casussen.plan.views.pages import ROLLEN
from toegang.access import role_required
from toegang.datums import datum

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
    return render(
        request,
        "casussen/plan/afdruk.html",
        {
            "casus": casus,
            "afdruk": afdruk,
            "spinnenweb": _spinnenweb(afdruk),
            "contact": contact_regels(afdruk),
        },
    )


def _spinnenweb(afdruk: Afdruk) -> str | None:
    """The resident's scores as a spider web: first measurement, and now if there is one."""
    if not afdruk.scores:
        return None
    reeksen = [
        Reeks(
            _("Eerst (%(datum)s)") % {"datum": datum(afdruk.eerste_meting)},
            dict(zip(DIMENSIES, [s.eerst for s in afdruk.scores], strict=True)),
        )
    ]
    if afdruk.laatste_meting and afdruk.laatste_meting != afdruk.eerste_meting:
        reeksen.append(
            Reeks(
                _("Nu (%(datum)s)") % {"datum": datum(afdruk.laatste_meting)},
                dict(zip(DIMENSIES, [s.nu for s in afdruk.scores], strict=True)),
            )
        )
    return spinnenweb_svg(reeksen=reeksen, titel=_("Uw cijfers"), id_prefix="afdruk")


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
