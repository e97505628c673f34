"""Second factors (django-otp): TOTP devices, passkeys, recovery codes, reset by a beheerder.

Who needs a second factor: every staff role always; a melder when their
organisation has ``mfa_verplicht`` set, or once they enrolled one voluntarily.
A session counts as verified when django-otp's session key names a confirmed
device of the user, or when the identity provider asserted MFA (``mfa_idp``).
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Actie, Doel, Uitkomst
from audit.services import record
from toegang.logging import get_logger
from toegang.models import PasskeyDevice, User
from toegang.roles import Rol

log = get_logger(__name__)

RECOVERY_CODE_COUNT = 10
#: Session flag set by the OIDC login when the identity provider asserted MFA.
IDP_MFA_SESSION_KEY = "mfa_idp"


def mfa_required(user: Any) -> bool:
    """Whether ``user`` may not work without a second factor."""
    if user.rol != Rol.MELDER:
        return True
    organisatie = user.organisatie
    return bool(organisatie and organisatie.mfa_verplicht)


def has_confirmed_totp(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_confirmed_factor(user: Any) -> bool:
    """An authenticator app or a passkey (recovery codes alone do not count)."""
    return (
        has_confirmed_totp(user) or PasskeyDevice.objects.filter(user=user, confirmed=True).exists()
    )


def second_factor_needed(user: Any) -> bool:
    """Whether the login asks a second factor: required, or enrolled voluntarily (melder)."""
    return mfa_required(user) or has_confirmed_factor(user)


def session_verified(session: Any) -> bool:
    return bool(session.get(DEVICE_ID_SESSION_KEY)) or bool(session.get(IDP_MFA_SESSION_KEY))


def pending_totp(user: Any) -> TOTPDevice:
    """The unconfirmed TOTP device of an enrolment, made on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator-app", confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps type it (RFC 4648 base32, no padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def provisioning_uri(device: TOTPDevice) -> str:
    issuer = settings.OTP_TOTP_ISSUER
    return (
        f"otpauth://totp/{issuer}:{device.user.get_username()}"
        f"?secret={secret_base32(device)}&issuer={issuer}&digits={device.digits}"
        f"&period={device.step}"
    ).replace(" ", "%20")


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG QR code (no external request)."""
    return segno.make(provisioning_uri(device), error="m").svg_inline(scale=5, title="QR-code")


@transaction.atomic
def totp_confirm(*, user: Any, code: str) -> list[str] | None:
    """Confirm the pending device with ``code``; return new recovery codes, or None."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_clean(code)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_regenerate(user=user)
    audit_factor(
        user=user,
        actie=Actie.CREATE,
        device_id=device.persistent_id,
        reden="authenticator-app ingesteld",
    )
    return codes


def audit_factor(
    *,
    user: Any,
    actie: str,
    reden: str,
    device_id: str = "",
    request: Any = None,
    uitkomst: str = Uitkomst.ALLOWED,
) -> None:
    """The audit record of a change to one's own second factors."""
    record(
        actor=user,
        actie=actie,
        doel=Doel.AUTHENTICATIE,
        object_type="tweede_factor",
        object_id=device_id,
        reden=reden,
        uitkomst=uitkomst,
        request=request,
    )


def verify(*, user: Any, code: str) -> Any:
    """The confirmed device that accepts ``code`` (TOTP or recovery code), or None.

    A TOTP code is accepted once: django-otp remembers the last time step used.
    A recovery code is deleted when used.
    """
    return match_token(user, _clean(code))


@transaction.atomic
def recovery_codes_regenerate(*, user: Any) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="herstelcodes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def factors_of(user: Any) -> list[Any]:
    return list(devices_for_user(user, confirmed=True))


@transaction.atomic
def mfa_reset(*, user: User, by: Any, request: Any = None) -> None:
    """Remove every factor of ``user`` and end their sessions; they enrol again.

    The user is told: by e-mail when they have an address (so they learn of a reset
    they did not ask for before the next login), and with a notice at the next
    login (``mfa_reset_melding``).
    """
    from toegang.identity.sessions import sessions_end_all

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    PasskeyDevice.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).update(mfa_reset_melding=True)
    user.mfa_reset_melding = True
    sessions_end_all(user=user)
    transaction.on_commit(lambda: _tell_of_reset(user))
    record(
        actor=by,
        actie=Actie.UPDATE,
        doel=Doel.BEHEER,
        object_type="user",
        object_id=user.pk,
        reden="tweede factor opnieuw ingesteld",
        request=request,
    )


def _tell_of_reset(user: User) -> None:
    if not user.email:
        return
    subject = _("Brede Toegang: uw tweede factor is opnieuw ingesteld")
    body = _(
        "Een beheerder heeft uw tweede factor (authenticator-app, passkeys en "
        "herstelcodes) opnieuw ingesteld en u op al uw apparaten uitgelogd. Bij de "
        "volgende login stelt u een nieuwe in. Hebt u hier niet om gevraagd? Meld het "
        "dan direct bij de beheerder of de functionaris gegevensbescherming."
    )
    try:
        send_mail(subject, body, None, [user.email])
    except OSError as exc:
        log.error("mfa_reset_mail_mislukt", user_id=user.pk, fout=type(exc).__name__)


def _clean(code: str) -> str:
    return "".join(code.split())
