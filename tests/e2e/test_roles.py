"""Each demo role logs in through the real login page and lands on its home page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, serious_axe_violations
from toegang.demo import DEMO_PASSWORD

ROLE_HOMES = [
    ("consulent", "/casussen/", "Mijn casussen"),
    ("teamleider", "/signalen/aanmeldingen/", "Aanmeldingen"),
    ("gastvrouw", "/signalen/nieuw/", "Nieuw signaal"),
    ("privacy", "/audit/", "Audit"),
    ("beleid", "/monitor/", "Monitor"),
    ("beheerder", "/beheer/", "Beheer"),
]

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("username", "path", "heading"), ROLE_HOMES)
def test_role_logs_in_and_sees_its_accessible_home_page(demo, page, username, path, heading):
    log_in(page, demo, username, DEMO_PASSWORD)
    assert page.url == f"{demo}{path}"
    assert page.get_by_role("heading", level=1).first.inner_text().strip() == heading
    assert serious_axe_violations(page) == []


def test_wrong_password_shows_a_dutch_message(demo, page):
    log_in(page, demo, "consulent", "helemaal-fout")
    assert "/inloggen/" in page.url
    alert = page.get_by_role("alert")
    assert "onjuist" in alert.inner_text()


def test_keyboard_user_can_skip_to_content_and_log_out(demo, page):
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Direct naar de inhoud")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#inhoud$"))
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{demo}/inloggen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Inloggen"
