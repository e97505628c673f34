"""The profile page: one's factors, new recovery codes, logging out everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.models import Actie, Doel
from audit.services import record
from toegang.identity import mfa, sessions
from toegang.identity.views import RECOVERY_CODES_ONCE


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "totp": mfa.has_confirmed_totp(user),
        "herstelcodes_over": mfa.recovery_codes_left(user),
        "mfa_verplicht": mfa.mfa_required(user),
        "via_idp": bool(request.session.get(mfa.IDP_MFA_SESSION_KEY)),
    }
    return render(request, "toegang/identity/account.html", context)


@require_POST
@login_required
def herstelcodes_nieuw(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (the old ones stop working) and show the new ones once."""
    if not mfa.has_confirmed_totp(request.user):
        return redirect("account")
    codes = mfa.recovery_codes_regenerate(user=request.user)
    record(
        actor=request.user,
        actie=Actie.UPDATE,
        doel=Doel.AUTHENTICATIE,
        object_type="herstelcodes",
        reden="nieuwe herstelcodes",
        request=request,
    )
    request.session[RECOVERY_CODES_ONCE] = codes
    return redirect("herstelcodes")


@require_POST
@login_required
def overal_uitloggen(request: HttpRequest) -> HttpResponse:
    """End every session of this user, on every device, this one included."""
    user = request.user
    sessions.sessions_end_all(user=user)  # type: ignore[arg-type]
    record(
        actor=user,
        actie=Actie.LOGOUT,
        doel=Doel.AUTHENTICATIE,
        reden="overal uitgelogd",
        request=request,
    )
    logout(request)
    messages.success(request, _("U bent op al uw apparaten uitgelogd."))
    return redirect("login")
