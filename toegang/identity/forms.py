"""Login forms in Dutch. A wrong login never says whether the account exists."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from toegang.identity import policy

WRONG_LOGIN = _(
    "De combinatie van gebruikersnaam en wachtwoord is onjuist. "
    "Controleer uw gegevens en probeer het opnieuw."
)
LOCKED = _(
    "Te veel mislukte pogingen. Wacht een kwartier en probeer het dan opnieuw, "
    "of neem contact op met de beheerder."
)
WRONG_CODE = _(
    "Deze code is onjuist of al gebruikt. Wacht op de volgende code in uw "
    "authenticator-app, of gebruik een herstelcode."
)

WRONG_PASSKEY = _(
    "Deze passkey is niet geaccepteerd. Probeer het opnieuw, of log in met de code "
    "uit uw authenticator-app."
)
PASSKEY_NOT_ADDED = _(
    "De passkey is niet toegevoegd. Probeer het opnieuw; lukt het niet, gebruik dan "
    "een andere browser of beveiligingssleutel."
)
#: An answer of navigator.credentials.* is a few KB at most.
CREDENTIAL_MAX = 16_384


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": WRONG_LOGIN, "inactive": WRONG_LOGIN, "locked": LOCKED}

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
        if policy.is_locked(request, username):
            policy.audit_failure(request, username, reden="geblokkeerd na te veel pogingen")
            raise forms.ValidationError(LOCKED, code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            policy.register_failure(request, username)
            policy.audit_failure(request, username, reden="onjuist wachtwoord")
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        if not user.is_active or user.is_api_client:
            raise forms.ValidationError(WRONG_LOGIN, code="inactive")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("De zescijferige code uit uw authenticator-app, of een herstelcode."),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class PasskeyForm(forms.Form):
    """The browser's answer to a passkey challenge (filled in by passkey.js)."""

    credential = forms.CharField(widget=forms.HiddenInput, max_length=CREDENTIAL_MAX)


class PasskeyAddForm(PasskeyForm):
    naam = forms.CharField(
        label=_("Naam van de passkey"),
        max_length=64,
        required=False,
        help_text=_("Zodat u hem later herkent, bijvoorbeeld 'laptop werk' of 'sleutel'."),
    )
