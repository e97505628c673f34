"""Passkeys (WebAuthn) as a second factor, verified with py_webauthn.

A passkey is a django-otp device (``PasskeyDevice``): after a good assertion
the login goes on through ``django_otp.login`` like a TOTP code, so the session
check (``mfa.session_verified``) and the reset by a beheerder need nothing extra.

The challenge of a ceremony lives in the session and is used once: it is
removed before the answer is checked, so a replayed answer meets no challenge.
The relying party is the host the user sees (``WEBAUTHN_RP_ID``/``WEBAUTHN_ORIGIN``
fix it behind a proxy); a browser refuses a passkey for another host, and we
refuse an answer signed for another origin.
"""

from __future__ import annotations

import json
from typing import Any

from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from audit.models import Actie
from toegang.identity import mfa
from toegang.models import PasskeyDevice

REGISTRATION_CHALLENGE = "passkey_registratie"
LOGIN_CHALLENGE = "passkey_login"
NAME_MAX = 64


class PasskeyGeweigerdError(Exception):
    """An answer that does not prove the passkey; ``reden`` goes to the audit trail."""

    def __init__(self, reden: str) -> None:
        super().__init__(reden)
        self.reden = reden


def rp_id(request: HttpRequest) -> str:
    return settings.WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0]


def expected_origin(request: HttpRequest) -> str:
    return settings.WEBAUTHN_ORIGIN or f"{request.scheme}://{request.get_host()}"


def passkeys_of(user: Any) -> list[PasskeyDevice]:
    return list(PasskeyDevice.objects.filter(user=user, confirmed=True).order_by("created_at"))


def has_passkey(user: Any) -> bool:
    return PasskeyDevice.objects.filter(user=user, confirmed=True).exists()


def _descriptors(user: Any) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=bytes(d.credential_id)) for d in passkeys_of(user)]


def registration_options(request: HttpRequest, user: Any) -> dict[str, Any]:
    """Options for ``navigator.credentials.create``; the challenge goes in the session."""
    options = generate_registration_options(
        rp_id=rp_id(request),
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=str(user.pk).encode(),
        user_name=user.get_username(),
        user_display_name=user.get_username(),
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    request.session[REGISTRATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return json.loads(options_to_json(options))  # type: ignore[no-any-return]


def login_options(request: HttpRequest, user: Any) -> dict[str, Any]:
    """Options for ``navigator.credentials.get`` limited to the user's own passkeys."""
    options = generate_authentication_options(
        rp_id=rp_id(request),
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[LOGIN_CHALLENGE] = bytes_to_base64url(options.challenge)
    return json.loads(options_to_json(options))  # type: ignore[no-any-return]


def _take_challenge(request: HttpRequest, key: str) -> bytes:
    challenge = request.session.pop(key, None)
    if not challenge:
        raise PasskeyGeweigerdError("passkey: geen openstaande uitdaging")
    return base64url_to_bytes(challenge)


def _credential_id(credential: str) -> bytes:
    try:
        return base64url_to_bytes(json.loads(credential)["rawId"])
    except (ValueError, TypeError, KeyError):
        raise PasskeyGeweigerdError("passkey: onleesbaar antwoord") from None


@transaction.atomic
def passkey_register(
    request: HttpRequest, *, user: Any, credential: str, naam: str
) -> PasskeyDevice:
    """Store the passkey that answered the registration challenge; audited."""
    challenge = _take_challenge(request, REGISTRATION_CHALLENGE)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(request),
            expected_origin=expected_origin(request),
        )
    except WebAuthnException as exc:
        raise PasskeyGeweigerdError(f"passkey niet geregistreerd: {exc}") from None
    if PasskeyDevice.objects.filter(credential_id=verified.credential_id).exists():
        raise PasskeyGeweigerdError("passkey niet geregistreerd: al in gebruik")
    device = PasskeyDevice.objects.create(
        user=user,
        name=(naam.strip() or _("Passkey"))[:NAME_MAX],
        confirmed=True,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=_transports(credential),
    )
    mfa.audit_factor(
        user=user,
        actie=Actie.CREATE,
        device_id=device.persistent_id,
        reden="passkey toegevoegd",
        request=request,
    )
    return device


def _transports(credential: str) -> list[str]:
    transports = json.loads(credential).get("response", {}).get("transports") or []
    return [str(t)[:32] for t in transports if isinstance(t, str)][:8]


@transaction.atomic
def passkey_verify(request: HttpRequest, *, user: Any, credential: str) -> PasskeyDevice:
    """The user's passkey that signed the login challenge; the sign count must rise.

    Raises ``PasskeyGeweigerdError`` for an unknown passkey, another origin or
    challenge, a bad signature or a sign count that did not rise (a cloned
    authenticator or a replay). The caller applies the login policy.
    """
    challenge = _take_challenge(request, LOGIN_CHALLENGE)
    device = (
        PasskeyDevice.objects.select_for_update()
        .filter(user=user, confirmed=True, credential_id=_credential_id(credential))
        .first()
    )
    if device is None:
        raise PasskeyGeweigerdError("passkey geweigerd: onbekende passkey")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(request),
            expected_origin=expected_origin(request),
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=device.sign_count,
        )
    except WebAuthnException as exc:
        raise PasskeyGeweigerdError(f"passkey geweigerd: {exc}") from None
    device.sign_count = verified.new_sign_count
    device.set_last_used_timestamp(commit=False)
    device.save(update_fields=["sign_count", "last_used_at"])
    return device


@transaction.atomic
def passkey_remove(request: HttpRequest, *, device: PasskeyDevice) -> bool:
    """Remove a passkey of the requesting user; False when it is their last factor."""
    user = device.user
    other_passkey = PasskeyDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
    if mfa.mfa_required(user) and not (mfa.has_confirmed_totp(user) or other_passkey.exists()):
        return False
    persistent_id = device.persistent_id
    device.delete()
    mfa.audit_factor(
        user=user,
        actie=Actie.DELETE,
        device_id=persistent_id,
        reden="passkey verwijderd",
        request=request,
    )
    return True
