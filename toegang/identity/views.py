"""Login in two steps: password, then the second factor (enrolment at the first login).

Between the steps the session holds only a pending login (user id, backend,
where to go next); the user is logged in after the second factor, so no session
ever exists with a password alone for someone who needs more.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django_otp import login as otp_login

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from audit.models import Actie, Doel
from audit.services import record
from toegang.identity import mfa, passkeys, policy
from toegang.identity.forms import (
    LOCKED,
    WRONG_CODE,
    WRONG_PASSKEY,
    CodeForm,
    LoginForm,
    PasskeyForm,
)
from toegang.models import User

PENDING = "login_pending"
RECOVERY_CODES_ONCE = "herstelcodes_eenmalig"
#: Seconds between the password and the second factor.
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    template_name = "toegang/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "sso_enabled": settings.OIDC_ENABLED}

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        next_url = self.get_success_url()
        if not mfa.second_factor_needed(user):
            return complete_login(self.request, user, device=None, next_url=next_url)
        self.request.session[PENDING] = {
            "user_id": user.pk,
            "backend": user.backend,  # type: ignore[attr-defined]
            "next": next_url,
            "at": int(time.time()),
        }
        if mfa.has_confirmed_factor(user):
            return redirect("login_code")
        return redirect("login_instellen")


def complete_login(
    request: HttpRequest, user: Any, *, device: Any, next_url: str, reden: str = ""
) -> HttpResponse:
    """Log ``user`` in (with the verified ``device``), audit it, reset the counters."""
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=getattr(user, "backend", None))
    if device is not None:
        otp_login(request, device)
    policy.register_success(request, user.get_username())
    policy.audit_success(request, user, reden=reden)
    if user.mfa_reset_melding:
        User.objects.filter(pk=user.pk).update(mfa_reset_melding=False)
        messages.info(
            request,
            _(
                "Een beheerder heeft uw tweede factor opnieuw ingesteld. Was u dat niet "
                "die daarom vroeg? Meld het dan bij de beheerder."
            ),
        )
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _pending_user(request: HttpRequest) -> tuple[Any, str] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.select_related("organisatie").filter(pk=pending["user_id"]).first()
    if user is None or not user.is_active:
        return None
    user.backend = pending["backend"]  # type: ignore[attr-defined]
    next_url = pending["next"]
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return user, next_url


def _back_to_login(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Uw inlogpoging is verlopen. Log opnieuw in."))
    return redirect("login")


def _refuse_code(request: HttpRequest, user: Any) -> HttpResponse | None:
    """Apply the login policy to a wrong or locked code; None when the code may be checked."""
    if policy.is_locked(request, user.get_username()):
        policy.audit_failure(request, user.get_username(), reden="geblokkeerd na te veel pogingen")
        request.session.pop(PENDING, None)
        messages.error(request, LOCKED)
        return redirect("login")
    return None


def _wrong_code(request: HttpRequest, user: Any, form: CodeForm) -> None:
    policy.register_failure(request, user.get_username())
    policy.audit_failure(request, user.get_username(), reden="onjuiste tweede factor")
    form.add_error("code", WRONG_CODE)


def _bound(request: HttpRequest, field: str) -> Any:
    """The POST data when it answers with ``field`` (one page, two factor forms)."""
    return request.POST if request.method == "POST" and field in request.POST else None


@never_cache
@sensitive_post_parameters("code", "credential")
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code (authenticator app or recovery code) or a passkey."""
    pending = _pending_user(request)
    if pending is None:
        return _back_to_login(request)
    user, next_url = pending
    if not mfa.has_confirmed_factor(user):
        return redirect("login_instellen")
    form = CodeForm(_bound(request, "code"))
    passkey_form = PasskeyForm(_bound(request, "credential"))
    if request.method == "POST":
        refused = _refuse_code(request, user)
        if refused is not None:
            return refused
        if passkey_form.is_valid():
            try:
                device = passkeys.passkey_verify(
                    request, user=user, credential=passkey_form.cleaned_data["credential"]
                )
            except passkeys.PasskeyGeweigerdError as exc:
                policy.register_failure(request, user.get_username())
                policy.audit_failure(request, user.get_username(), reden=exc.reden)
                passkey_form.add_error(None, WRONG_PASSKEY)
            else:
                return complete_login(request, user, device=device, next_url=next_url)
        elif form.is_valid():
            device = mfa.verify(user=user, code=form.cleaned_data["code"])
            if device is not None:
                return complete_login(request, user, device=device, next_url=next_url)
            _wrong_code(request, user, form)
    has_passkey = passkeys.has_passkey(user)
    context = {
        "form": form,
        "passkey_form": passkey_form,
        "totp": mfa.has_confirmed_totp(user),
        "passkey_opties": passkeys.login_options(request, user) if has_passkey else None,
    }
    return render(request, "toegang/identity/code.html", context)


@never_cache
@sensitive_post_parameters("code")
def login_instellen(request: HttpRequest) -> HttpResponse:
    """Enrolment at the first login: QR code and secret, confirmed with a first code."""
    pending = _pending_user(request)
    if pending is None:
        return _back_to_login(request)
    user, next_url = pending
    if mfa.has_confirmed_factor(user):
        return redirect("login_code")
    device = mfa.pending_totp(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _refuse_code(request, user)
        if refused is not None:
            return refused
        codes = mfa.totp_confirm(user=user, code=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            complete_login(request, user, device=device, next_url=next_url)
            request.session[RECOVERY_CODES_ONCE] = codes
            return redirect(f"{resolve_url('herstelcodes')}?{urlencode({'next': next_url})}")
        _wrong_code(request, user, form)
    context = {
        "form": form,
        "qr_svg": mfa.qr_svg(device),
        "secret": mfa.secret_base32(device),
        "reset": user.mfa_reset_melding,
    }
    return render(request, "toegang/identity/instellen.html", context)


@never_cache
@login_required
def herstelcodes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once: a reload shows them no more."""
    codes = request.session.pop(RECOVERY_CODES_ONCE, None)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if codes is None:
        return redirect(next_url or "account")
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.AUTHENTICATIE,
        object_type="herstelcodes",
        request=request,
    )
    return render(
        request,
        "toegang/identity/herstelcodes.html",
        {"codes": codes, "next": next_url or resolve_url(settings.LOGIN_REDIRECT_URL)},
    )


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin logs in through the app's login: one policy, one audit trail.

    Someone logged in without admin rights gets the 403 page (the login would send them
    straight back here)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    next_url = request.GET.get("next") or resolve_url("admin:index")
    return redirect(f"{resolve_url('login')}?{urlencode({'next': next_url})}")


class LogoutView(auth_views.LogoutView):
    template_name = "toegang/logged_out.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record(actor=request.user, actie=Actie.LOGOUT, doel=Doel.AUTHENTICATIE, request=request)
        return super().post(request, *args, **kwargs)
