"""The profile page: one's factors (passkeys too), new recovery codes, logging out everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from audit.models import Actie, Doel, Uitkomst
from audit.services import record
from toegang.identity import mfa, passkeys, sessions
from toegang.identity.forms import PASSKEY_NOT_ADDED, PasskeyAddForm
from toegang.identity.views import RECOVERY_CODES_ONCE
from toegang.models import PasskeyDevice


@never_cache
@login_required
def account(request: HttpRequest, passkey_form: PasskeyAddForm | None = None) -> HttpResponse:
    user = request.user
    context = {
        "totp": mfa.has_confirmed_totp(user),
        "herstelcodes_over": mfa.recovery_codes_left(user),
        "mfa_verplicht": mfa.mfa_required(user),
        "via_idp": bool(request.session.get(mfa.IDP_MFA_SESSION_KEY)),
        "passkeys": passkeys.passkeys_of(user),
        "passkey_form": passkey_form or PasskeyAddForm(),
        "passkey_opties": passkeys.registration_options(request, user),
    }
    return render(request, "toegang/identity/account.html", context)


@require_POST
@login_required
@sensitive_post_parameters("credential")
def passkey_toevoegen(request: HttpRequest) -> HttpResponse:
    """Register the passkey the browser made for the challenge of the account page."""
    form = PasskeyAddForm(request.POST)
    if form.is_valid():
        try:
            passkeys.passkey_register(
                request,
                user=request.user,
                credential=form.cleaned_data["credential"],
                naam=form.cleaned_data["naam"],
            )
        except passkeys.PasskeyGeweigerdError as exc:
            mfa.audit_factor(
                user=request.user,
                actie=Actie.CREATE,
                reden=exc.reden,
                uitkomst=Uitkomst.DENIED,
                request=request,
            )
            form.add_error(None, PASSKEY_NOT_ADDED)
        else:
            messages.success(request, _("De passkey is toegevoegd."))
            return redirect("account")
    return account(request, passkey_form=form)


@require_POST
@login_required
def passkey_verwijderen(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(PasskeyDevice, user=request.user, pk=pk)
    if passkeys.passkey_remove(request, device=device):
        messages.success(request, _("De passkey is verwijderd."))
    else:
        messages.error(
            request,
            _(
                "Deze passkey is niet verwijderd: het is uw enige tweede factor. "
                "Stel eerst een andere in."
            ),
        )
    return redirect("account")


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
