"""Logging in from tests: password and second factor.

* ``log_in(client_or_page, user)`` walks the real login: password, then the TOTP
  code of the user's authenticator (enrolled here with a known secret when the user
  has none). Works on Django's test ``Client`` and on a Playwright ``Page`` (pass
  ``base_url``).
* ``verified_login(client, user)`` is the fast path for tests about something else:
  ``force_login`` plus what the second-factor step leaves in the session. The
  ``login`` fixture in ``tests/conftest.py`` uses it.
* ``totp_code(user)`` is the current code, as the ``totp_code`` command prints it.

Tests log the same user in many times within one 30-second step, and a TOTP code
is accepted once; the helpers therefore clear the device's replay marker first.
"""

from __future__ import annotations

from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.toegang.factories import PASSWORD


def ensure_totp(user: Any) -> TOTPDevice:
    """The user's confirmed TOTP device, enrolled now if missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def totp_code(user: Any) -> str:
    """The current code of the user's device (replay marker cleared, see module doc)."""
    device = ensure_totp(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def verified_login(client: Any, user: Any) -> Any:
    """``force_login`` with a verified second factor; returns the client."""
    client.force_login(user)
    device = ensure_totp(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def log_in(target: Any, user: Any, *, password: str = PASSWORD, base_url: str = "") -> Any:
    """The real login (password, then code) on a test client or a Playwright page."""
    from toegang.identity import mfa

    if hasattr(target, "goto"):
        _log_in_page(target, user, password=password, base_url=base_url)
        return target
    code_step = mfa.second_factor_needed(user)
    if code_step:
        ensure_totp(user)
    response = target.post(
        f"{base_url}/inloggen/", {"username": user.get_username(), "password": password}
    )
    assert response.status_code == 302, "password step refused"
    if code_step:
        assert response.url == "/inloggen/code/"
        response = target.post(response.url, {"code": totp_code(user)})
        assert response.status_code == 302, "code step refused"
    return target


def _log_in_page(page: Any, user: Any, *, password: str, base_url: str) -> None:
    """A wrong password stops on the login page, as a person would see it."""
    from toegang.identity import mfa

    code_step = user.check_password(password) and mfa.second_factor_needed(user)
    if code_step:
        ensure_totp(user)
    page.goto(f"{base_url}/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(user.get_username())
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    if code_step:
        page.get_by_label("Code").fill(totp_code(user))
        page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_load_state("networkidle")
