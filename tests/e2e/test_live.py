"""Live updates in two browsers side by side, through the real relay and websocket."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from django.utils import timezone

from tests.casussen.factories import gezinslid_values, make_huishouden, random_bsn
from tests.e2e.conftest import log_in
from toegang.demo import DEMO_PASSWORD
from toegang.models import User

pytestmark = pytest.mark.browser


@pytest.fixture
def known_resident(demo):
    """A household with a known BSN and an open casus whose aanspreekpunt is ``consulent``."""
    from casussen.services.casus import casus_open

    consulent = User.objects.get(username="consulent")
    bsn = random_bsn()
    huishouden, _ = make_huishouden(gezinslid_values(bsn=bsn, achternaam="Zonneveld"))
    casus = casus_open(
        huishouden=huishouden, aanspreekpunt=consulent, team=consulent.team, by=consulent
    )
    return casus, bsn


def _open_as(browser, base_url, username, path):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, username, DEMO_PASSWORD)
    page.goto(f"{base_url}{path}")
    page.wait_for_selector(".live-status[data-state='connected']", state="attached")
    return page


def test_a_signal_about_a_known_resident_reaches_the_open_case_page_live(
    browser, demo, relay_running, known_resident
):
    casus, bsn = known_resident
    aanspreekpunt = _open_as(browser, demo, "consulent", f"/casussen/{casus.pk}/")
    outsider = _open_as(browser, demo, "consulent2", "/casussen/")
    melder = _open_as(browser, demo, "huisarts", "/signalen/nieuw/")
    outsider.evaluate(
        """types => { window.seen = [];
            for (const t of types) document.body.addEventListener('live:' + t,
                e => window.seen.push(String(e.detail.id))); }""",
        ["casus.bijgewerkt", "signaal.ontvangen", "signaal.gekoppeld", "casus.geopend"],
    )

    melder.get_by_label("Met toestemming").check()
    melder.get_by_label("Achternaam").fill("Zonneveld")
    melder.get_by_label("BSN").fill(bsn)
    melder.get_by_label("Gezondheid").check()
    melder.get_by_label("Wat zag of hoorde u?").fill("Meneer komt vaak met klachten door stress.")
    melder.get_by_role("button", name="Signaal doorgeven").click()
    melder.wait_for_url(re.compile(r".*/signalen/ontvangen/.*"))

    notice = aanspreekpunt.locator("#live-meldingen")
    notice.wait_for(state="visible", timeout=5_000)
    assert notice.get_attribute("aria-live") == "polite"
    aanspreekpunt.get_by_text("Meneer komt vaak met klachten door stress.").wait_for(timeout=5_000)

    outsider.wait_for_timeout(1_500)
    assert str(casus.pk) not in outsider.evaluate("window.seen")
    assert str(casus.pk) not in outsider.content()
    for page in (aanspreekpunt, outsider, melder):
        page.context.close()


def test_two_people_on_the_same_casus_see_each_other(browser, demo, relay_running, known_resident):
    from casussen.services.betrokkenen import betrokkene_add

    casus, _ = known_resident
    aanspreekpunt_user = User.objects.get(username="consulent")
    collega = User.objects.get(username="consulent3")
    betrokkene_add(
        casus=casus,
        user=collega,
        reden="Meedenken over schulden",
        eind_datum=(timezone.now() + timedelta(days=30)).date(),
        by=aanspreekpunt_user,
    )
    first = _open_as(browser, demo, "consulent", f"/casussen/{casus.pk}/")
    second = _open_as(browser, demo, "consulent3", f"/casussen/{casus.pk}/")

    presence_first = first.locator(f'[data-live-presence="casus:{casus.pk}"]')
    presence_second = second.locator(f'[data-live-presence="casus:{casus.pk}"]')
    presence_first.wait_for(state="visible", timeout=5_000)
    presence_second.wait_for(state="visible", timeout=5_000)
    assert collega.weergavenaam in presence_first.inner_text()
    assert aanspreekpunt_user.weergavenaam in presence_second.inner_text()
    for page in (first, second):
        page.context.close()
