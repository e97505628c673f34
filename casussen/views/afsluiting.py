"""The closure part of the case page: its history, changing reason or grondslag, reopening."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casussen.errors import CasusConflict
from casussen.forms import AfsluitingForm
from casussen.models import Casus
from casussen.selectors import casus_get_for_user
from casussen.services.afsluiting import (
    casus_afsluiting_wijzigen,
    casus_heropenen,
    heropen_termijn,
    may_reopen,
)
from toegang.access import role_required
from toegang.roles import Rol


def afsluiting_context(casus: Casus, user: Any) -> dict[str, Any]:
    if casus.is_open:
        return {}  # the history is shown once closed (no query on every open case page)
    return {
        "afsluitingen": list(casus.afsluitingen.select_related("door")),
        "afsluiting_form": AfsluitingForm(
            initial={
                "afsluitreden": casus.afsluitreden,
                "grondslag": casus.grondslag,
                "version": casus.version,
            }
        ),
        "may_reopen": may_reopen(casus, user),
        "heropen_dagen": heropen_termijn().days,
    }


def _again(request: HttpRequest, casus: Casus, **extra: Any) -> HttpResponse:
    from casussen.views.casus import page_context

    casus.refresh_from_db()
    context = {**page_context(request, casus), **extra}
    status = 409 if extra.get("conflict") else 400
    return render(request, "casussen/casus.html", context, status=status)


@require_POST
@role_required(Rol.CONSULENT)
def casus_afsluiting(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    from casussen.views.casus import apply_errors

    casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
    form = AfsluitingForm(request.POST)
    if form.is_valid():
        try:
            casus_afsluiting_wijzigen(casus=casus, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except CasusConflict as exc:
            return _again(request, casus, conflict=exc.message)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("De afsluiting is gewijzigd."))
            return redirect("casussen:casus", casus_id=casus.pk)
    return _again(request, casus, afsluiting_form=form)


@require_POST
@role_required(Rol.CONSULENT)
def casus_heropenen_view(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
    try:
        casus_heropenen(casus=casus, by=request.user)  # type: ignore[arg-type]
    except CasusConflict as exc:
        return _again(request, casus, conflict=exc.message)
    messages.success(request, _("De casus is heropend."))
    return redirect("casussen:casus", casus_id=casus.pk)
