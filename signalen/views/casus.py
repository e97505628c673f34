"""The signals of one casus, as a fragment of the case page (htmx), with their terugkoppeling.

Access runs through the casus (``casus_get_for_user``): no view access, 404.
Writes need change access. Without JavaScript the forms post and come back
to the case page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Actie, Doel
from audit.services import record
from casussen.errors import CasusConflict
from casussen.models import Casus
from casussen.selectors import casus_get_for_user
from signalen import selectors
from signalen.forms import TerugkoppelingForm
from signalen.services import signaal_link_casus, signaal_split, signaal_terugkoppelen


def _messages(error: ValidationError | CasusConflict) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [error.message]


def _may_change(user: Any, casus: Casus) -> bool:
    try:
        casus_get_for_user(user=user, casus_id=casus.pk, need="change")
    except Http404:
        return False
    return True


def _casus_page(casus_id: Any) -> str:
    return reverse("casussen:casus", args=[casus_id])


def _render(
    request: HttpRequest,
    casus_id: Any,
    *,
    status: int = 200,
    fouten: dict[str, list[str]] | None = None,
) -> HttpResponse:
    casus, queryset = selectors.signalen_for_casus(user=request.user, casus_id=casus_id)
    signalen = list(queryset)
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.CASUSBEHANDELING,
        object_type="signaal",
        object_ids=[s.pk for s in signalen],
        huishouden_id=casus.huishouden_id,
        velden=["omschrijving", "contactroute", "terugkoppeling"],
        request=request,
    )
    may_change = _may_change(request.user, casus)
    rijen = [
        {
            "signaal": s,
            "form": TerugkoppelingForm(
                prefix=f"s-{s.pk}", huidig=s.status, initial={"bericht": s.terugkoppeling or ""}
            )
            if may_change
            else None,
            "fouten": (fouten or {}).get(str(s.pk), []),
        }
        for s in signalen
    ]
    return render(
        request,
        "signalen/_casus_signalen.html",
        {
            "casus": casus,
            "rijen": rijen,
            "may_change": may_change,
            "koppel_fouten": (fouten or {}).get("koppelen", []),
        },
        status=status,
    )


def _after_post(
    request: HttpRequest, casus_id: Any, message: str, fouten: dict[str, list[str]] | None = None
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _render(request, casus_id, status=400 if fouten else 200, fouten=fouten)
    for lijst in (fouten or {}).values():
        for fout in lijst:
            messages.error(request, fout)
    if not fouten:
        messages.success(request, message)
    return redirect(_casus_page(casus_id))


@login_required
def casus_signalen(request: HttpRequest, casus_id: str) -> HttpResponse:
    return _render(request, casus_id)


@login_required
@require_POST
def terugkoppeling(request: HttpRequest, casus_id: str, pk: str) -> HttpResponse:
    casus, signaal = selectors.signaal_for_casus(
        user=request.user, casus_id=casus_id, signaal_id=pk
    )
    form = TerugkoppelingForm(request.POST, prefix=f"s-{signaal.pk}")
    try:
        if not form.is_valid():
            raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
        signaal_terugkoppelen(
            signaal=signaal,
            status=form.cleaned_data["status"],
            bericht=form.cleaned_data["bericht"],
            by=request.user,
        )
    except (ValidationError, CasusConflict) as error:
        return _after_post(request, casus.pk, "", {str(signaal.pk): _messages(error)})
    return _after_post(request, casus.pk, _("De terugkoppeling aan de melder is opgeslagen."))


@login_required
@require_POST
def ontkoppelen(request: HttpRequest, casus_id: str, pk: str) -> HttpResponse:
    casus, signaal = selectors.signaal_for_casus(
        user=request.user, casus_id=casus_id, signaal_id=pk
    )
    try:
        signaal_split(signaal=signaal, by=request.user)
    except (ValidationError, CasusConflict) as error:
        return _after_post(request, casus.pk, "", {str(signaal.pk): _messages(error)})
    return _after_post(
        request, casus.pk, _("Het signaal is losgekoppeld en staat weer bij de aanmeldingen.")
    )


@login_required
@require_POST
def koppelen(request: HttpRequest, casus_id: str) -> HttpResponse:
    """Link a waiting signal, quoted by its reference code, to this casus."""
    casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
    signaal = selectors.wachtend_signaal_by_referentie(
        casus=casus, referentie=request.POST.get("referentie", "")
    )
    if signaal is None:
        fout = _("Geen wachtend signaal van dit team gevonden met deze referentie.")
        return _after_post(request, casus.pk, "", {"koppelen": [fout]})
    try:
        signaal_link_casus(signaal=signaal, casus=casus, by=request.user)
    except (ValidationError, CasusConflict) as error:
        return _after_post(request, casus.pk, "", {"koppelen": _messages(error)})
    return _after_post(request, casus.pk, _("Het signaal is aan deze casus gekoppeld."))
