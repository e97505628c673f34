"""Login and logout in Dutch, with a limit on failed attempts per account and per IP.

The message for a wrong login never says whether the account exists.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from audit.models import Actie, Doel, Uitkomst
from audit.services import record
from toegang.logging import get_logger
from toegang.models import User

log = get_logger(__name__)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.lower().encode("utf-8")).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "onbekend"


def _failure_keys(request: HttpRequest, username: str) -> list[str]:
    return [_key("account", username), _key("ip", _client_ip(request))]


def is_locked(request: HttpRequest, username: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _failure_keys(request, username))


def register_failure(request: HttpRequest, username: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _failure_keys(request, username):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def clear_failures(request: HttpRequest, username: str) -> None:
    cache.delete(_key("account", username))


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "De combinatie van gebruikersnaam en wachtwoord is onjuist. "
            "Controleer uw gegevens en probeer het opnieuw."
        ),
        "inactive": _(
            "De combinatie van gebruikersnaam en wachtwoord is onjuist. "
            "Controleer uw gegevens en probeer het opnieuw."
        ),
        "locked": _(
            "Te veel mislukte pogingen. Wacht een kwartier en probeer het dan opnieuw, "
            "of neem contact op met de beheerder."
        ),
    }

    username = forms.CharField(
        label=_("Gebruikersnaam"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        request = self.request
        assert request is not None
        if is_locked(request, username):
            self._record_failure(username, locked=True)
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            register_failure(request, username)
            self._record_failure(username, locked=False)
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        if not user.is_active or user.is_api_client:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")

    def _record_failure(self, username: str, *, locked: bool) -> None:
        known = User.objects.filter(username__iexact=username).first()
        record(
            actor=known,
            actie=Actie.LOGIN_FAILURE,
            doel=Doel.AUTHENTICATIE,
            uitkomst=Uitkomst.DENIED,
            reden="geblokkeerd na te veel pogingen" if locked else "",
            request=self.request,
        )
        log.info("login_failed", user_id=known.pk if known else None, locked=locked)


class LoginView(auth_views.LoginView):
    template_name = "toegang/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        clear_failures(self.request, user.get_username())
        record(actor=user, actie=Actie.LOGIN, doel=Doel.AUTHENTICATIE, request=self.request)
        log.info("login", user_id=user.pk, rol=user.rol)
        return response


class LogoutView(auth_views.LogoutView):
    template_name = "toegang/logged_out.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record(actor=request.user, actie=Actie.LOGOUT, doel=Doel.AUTHENTICATIE, request=request)
        return super().post(request, *args, **kwargs)
