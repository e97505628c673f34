"""Passkeys in Chromium with the DevTools protocol's virtual authenticator: add one on
the account page, then log in with it instead of a code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_axe_violations
from tests.toegang.factories import PASSWORD, UserFactory
from toegang.models import PasskeyDevice
from toegang.roles import Rol

pytestmark = pytest.mark.browser


def _virtual_authenticator(page) -> None:
    """A platform authenticator that says yes (user present and verified) at once."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_enrol_a_passkey_and_log_in_with_it(server, page):
    # WebAuthn needs a domain as relying party (not an IP address); localhost is one.
    base = server.replace("127.0.0.1", "localhost")
    user = UserFactory(rol=Rol.CONSULENT)
    _virtual_authenticator(page)
    from tests.e2e.conftest import log_in

    log_in(page, base, user.username, PASSWORD)
    page.goto(f"{base}/account/")
    expect(page.get_by_test_id("passkeys")).to_have_text("U hebt nog geen passkey.")
    page.get_by_label("Naam van de passkey").fill("laptop werk")
    page.get_by_role("button", name="Passkey toevoegen").click()
    expect(page.get_by_text("De passkey is toegevoegd")).to_be_visible()
    expect(page.get_by_test_id("passkeys")).to_contain_text("laptop werk")
    assert serious_axe_violations(page) == []
    assert PasskeyDevice.objects.filter(user=user, name="laptop werk").count() == 1

    page.get_by_role("button", name="Uitloggen", exact=True).click()
    page.goto(f"{base}/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Inloggen met passkey")).to_be_visible()
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Inloggen met passkey").click()
    expect(page.get_by_role("link", name=user.weergavenaam)).to_be_visible()
    assert PasskeyDevice.objects.get(user=user).sign_count >= 1
