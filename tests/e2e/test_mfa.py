"""First login in the browser: enrolment with QR code and secret, recovery codes, account."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.conftest import serious_axe_violations
from tests.toegang.factories import PASSWORD, UserFactory
from toegang.roles import Rol

pytestmark = pytest.mark.browser


def _code_for(secret: str) -> str:
    """What an authenticator app shows for the base32 secret on the page."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_first_login_enrols_an_authenticator_and_shows_recovery_codes(server, page):
    user = UserFactory(rol=Rol.BELEIDSADVISEUR)
    page.goto(f"{server}/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tweede factor instellen")
    expect(page.locator(".qr svg")).to_be_visible()
    assert serious_axe_violations(page) == []
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Instellen en inloggen").click()
    expect(page.get_by_text("Deze code is onjuist of al gebruikt")).to_be_visible()

    page.get_by_label("Code").fill(_code_for(secret))
    page.get_by_role("button", name="Instellen en inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw herstelcodes")
    expect(page.get_by_test_id("herstelcodes").locator("li")).to_have_count(10)
    assert serious_axe_violations(page) == []

    page.get_by_role("link", name="Ik heb de codes bewaard, verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitor")
    page.get_by_role("link", name=user.weergavenaam).click()
    expect(page.get_by_test_id("factoren")).to_contain_text("Authenticator-app: ingesteld")
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Overal uitloggen").click()
    expect(page.get_by_text("U bent op al uw apparaten uitgelogd")).to_be_visible()
