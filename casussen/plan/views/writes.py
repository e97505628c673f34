"""Write pages: start the plan, uitvraag and evaluatie, doelen, acties, status, vaststellen.

Each view needs change access (``casus_for_write``: 404 without view access, 403
with view-only access). Service errors come back on the form (ValidationError)
or as a message on the plan page (a version that is vastgesteld); nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casussen.plan import presenters, services
from casussen.plan.access import audit_denied, audit_read, casus_for_write
from casussen.plan.errors import PlanError
from casussen.plan.forms import (
    ActieForm,
    ActieStatusForm,
    DoelForm,
    MetingForm,
    PlanStartForm,
    VaststellenForm,
    apply_errors,
)
from casussen.plan.selectors import actie_get, doel_get, plan_for_casus
from casussen.plan.services.acties import REDEN_NODIG
from casussen.plan.views._helpers import (
    gezinsleden_choices,
    gezinslid_of,
    medewerker_of,
    medewerkers_choices,
    to_plan,
)
from casussen.plan.views.pages import ROLLEN
from toegang.access import role_required


def _run(request: HttpRequest, casus: Any, form: Any, call: Callable[[], Any]) -> bool:
    """Run the service; put its errors on the form or in a message. True on success."""
    try:
        call()
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    except PlanError as exc:
        messages.error(request, str(exc))
        form.add_error(None, str(exc))
        return False
    return True


def _audit_form(
    request: HttpRequest, casus: Any, *, object_type: str, object_id: Any, velden: list[str]
) -> None:
    """A form filled with plan content or gezinsleden is a read of it (GET or a re-shown POST)."""
    audit_read(request, casus=casus, object_type=object_type, object_id=object_id, velden=velden)


def _plan_or_404(casus: Any) -> Any:
    plan = plan_for_casus(casus=casus)
    if plan is None:
        raise Http404
    return plan


@role_required(*ROLLEN)
@require_POST
def plan_starten(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_for_write(request, casus_id)
    form = PlanStartForm(request.POST)
    if form.is_valid() and _run(
        request,
        casus,
        form,
        lambda: services.plan_create(
            casus=casus,
            startdatum=form.cleaned_data["startdatum"],
            by=request.user,
            request=request,
        ),
    ):
        messages.success(request, _("Het plan is gestart."))
    elif form.errors:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return to_plan(casus)


def _meting_view(request: HttpRequest, casus_id: uuid.UUID, *, uitvraag: bool) -> HttpResponse:
    casus = casus_for_write(request, casus_id, object_type="meting")
    plan = plan_for_casus(casus=casus)
    if not uitvraag and not presenters.evaluatie_mogelijk(plan):
        messages.info(request, _("Een evaluatie kan pas als het plan is vastgesteld."))
        return to_plan(casus)
    doelen = (
        [] if uitvraag or plan is None else [(str(d.pk), str(d.tekst)) for d in plan.doelen.all()]
    )
    form = MetingForm(
        request.POST or None,
        gezinsleden=gezinsleden_choices(casus),
        uitvraag=uitvraag,
        doelen=doelen,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "casus": casus,
            "by": request.user,
            "datum": data["datum"],
            "scores": form.scores(),
            "toelichtingen": form.toelichtingen(),
            "gezinslid": gezinslid_of(casus, data["gezinslid"]),
            "request": request,
        }
        if uitvraag:
            call = lambda: services.meting_record(  # noqa: E731
                soort="uitvraag", notities=form.notities(), **common
            )
        else:
            call = lambda: services.evaluatie_record(  # noqa: E731
                uitkomsten=form.uitkomsten(), **common
            )
        if _run(request, casus, form, call):
            messages.success(
                request,
                _("De brede uitvraag is opgeslagen.")
                if uitvraag
                else _("De evaluatie is opgeslagen."),
            )
            return to_plan(casus, "metingen")
    _audit_form(
        request,
        casus,
        object_type="casus",
        object_id=casus.pk,
        velden=["gezinsleden"] if uitvraag else ["gezinsleden", "doelen"],
    )
    return render(
        request,
        "casussen/plan/meting_form.html",
        {"casus": casus, "form": form, "uitvraag": uitvraag},
    )


@role_required(*ROLLEN)
def uitvraag(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    return _meting_view(request, casus_id, uitvraag=True)


@role_required(*ROLLEN)
def evaluatie(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    return _meting_view(request, casus_id, uitvraag=False)


@role_required(*ROLLEN)
def doel_form(
    request: HttpRequest, casus_id: uuid.UUID, doel_id: uuid.UUID | None = None
) -> HttpResponse:
    casus = casus_for_write(request, casus_id, object_type="doel")
    plan = _plan_or_404(casus)
    doel = doel_get(casus=casus, doel_id=doel_id) if doel_id else None
    initial: dict[str, Any] = {"versie": plan.versie}
    if doel is not None:
        initial.update(
            tekst=doel.tekst,
            dimensies=doel.dimensies,
            leefgebieden=doel.leefgebieden,
            gezinsleden=[str(g.pk) for g in doel.gezinsleden.all()],
        )
    form = DoelForm(request.POST or None, initial=initial, gezinsleden=gezinsleden_choices(casus))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        values = {
            "tekst": data["tekst"],
            "dimensies": data["dimensies"],
            "leefgebieden": data["leefgebieden"],
            "gezinsleden": data["gezinsleden"],
            "versie": data["versie"],
            "casus": casus,
            "by": request.user,
            "request": request,
        }
        call = (
            (lambda: services.doel_update(doel=doel, **values))
            if doel is not None
            else (lambda: services.doel_add(plan=plan, **values))
        )
        if _run(request, casus, form, call):
            messages.success(request, _("Het doel is opgeslagen."))
            return to_plan(casus, "doelen")
    _audit_form(
        request,
        casus,
        object_type="doel" if doel is not None else "plan",
        object_id=doel.pk if doel is not None else plan.pk,
        velden=["tekst", "dimensies", "leefgebieden", "gezinsleden"],
    )
    return render(
        request,
        "casussen/plan/doel_form.html",
        {"casus": casus, "plan": plan, "form": form, "doel": doel},
    )


def _actie_initial(actie: Any, versie: int) -> dict[str, Any]:
    if actie is None:
        return {"versie": versie}
    return {
        "versie": versie,
        "omschrijving": actie.omschrijving,
        "eigenaar_soort": actie.eigenaar_soort,
        "eigenaar_omschrijving": actie.eigenaar_omschrijving or "",
        "eigenaar": str(actie.eigenaar_id or ""),
        "deadline": actie.deadline,
        "trede": actie.trede,
        "reden_zwaar": actie.reden_zwaar or "",
    }


@role_required(*ROLLEN)
def actie_form(
    request: HttpRequest,
    casus_id: uuid.UUID,
    doel_id: uuid.UUID | None = None,
    actie_id: uuid.UUID | None = None,
) -> HttpResponse:
    casus = casus_for_write(request, casus_id, object_type="actie")
    plan = _plan_or_404(casus)
    actie = actie_get(casus=casus, actie_id=actie_id) if actie_id else None
    doel = actie.doel if actie is not None else doel_get(casus=casus, doel_id=doel_id)
    form = ActieForm(
        request.POST or None,
        initial=_actie_initial(actie, plan.versie),
        medewerkers=medewerkers_choices(casus),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "omschrijving": data["omschrijving"],
            "eigenaar_soort": data["eigenaar_soort"],
            "eigenaar_omschrijving": data["eigenaar_omschrijving"],
            "eigenaar": medewerker_of(casus, data["eigenaar"]),
            "deadline": data["deadline"],
            "trede": data["trede"],
            "reden_zwaar": data["reden_zwaar"],
            "versie": data["versie"],
            "casus": casus,
            "by": request.user,
            "request": request,
        }
        call = (
            (lambda: services.actie_update(actie=actie, **values))
            if actie is not None
            else (lambda: services.actie_add(doel=doel, **values))
        )
        if _run(request, casus, form, call):
            messages.success(request, _("De actie is opgeslagen."))
            return to_plan(casus, f"doel-{doel.pk}")
    vraag_reden = bool(
        form.errors.get("reden_zwaar")
        or (actie is not None and actie.reden_zwaar)
        or form.data.get("reden_zwaar")
    )
    _audit_form(
        request,
        casus,
        object_type="actie" if actie is not None else "doel",
        object_id=actie.pk if actie is not None else doel.pk,
        velden=["doel", "omschrijving", "eigenaar", "deadline", "trede", "reden_zwaar"],
    )
    return render(
        request,
        "casussen/plan/actie_form.html",
        {
            "casus": casus,
            "plan": plan,
            "doel": doel,
            "actie": actie,
            "form": form,
            "vraag_reden": vraag_reden,
            "reden_code": REDEN_NODIG,
        },
    )


@role_required(*ROLLEN)
@require_POST
def actie_status(request: HttpRequest, casus_id: uuid.UUID, actie_id: uuid.UUID) -> HttpResponse:
    casus = casus_for_write(request, casus_id, object_type="actie")
    actie = actie_get(casus=casus, actie_id=actie_id)
    form = ActieStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies open, bezig, klaar of gestopt."))
        return to_plan(casus, f"actie-{actie.pk}")
    try:
        services.actie_status_set(
            actie=actie,
            casus=casus,
            by=request.user,
            status=form.cleaned_data["status"],
            request=request,
        )
    except PermissionDenied:
        audit_denied(
            request,
            casus=casus,
            object_type="actie",
            object_id=actie.pk,
            reden="status van actie van een ander",
        )
        raise
    messages.success(request, _("De status is bijgewerkt."))
    return to_plan(casus, f"actie-{actie.pk}")


@role_required(*ROLLEN)
def vaststellen(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_for_write(request, casus_id, object_type="planversie")
    plan = _plan_or_404(casus)
    personen = [naam for _, naam in gezinsleden_choices(casus)]
    if casus.aanspreekpunt is not None:
        personen.append(casus.aanspreekpunt.get_full_name())
    form = VaststellenForm(request.POST or None, initial={"versie": plan.versie}, personen=personen)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            casus,
            form,
            lambda: services.plan_vaststellen(
                plan=plan,
                casus=casus,
                by=request.user,
                datum=data["datum"],
                aanwezig=form.namen(),
                versie=data["versie"],
                request=request,
            ),
        ):
            messages.success(
                request,
                _("Versie %(nummer)s van het plan is vastgesteld.") % {"nummer": plan.versie},
            )
            return to_plan(casus)
    _audit_form(
        request,
        casus,
        object_type="plan",
        object_id=plan.pk,
        velden=["gezinsleden", "aanspreekpunt"],
    )
    return render(
        request, "casussen/plan/vaststellen.html", {"casus": casus, "plan": plan, "form": form}
    )
