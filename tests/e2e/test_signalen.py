"""A volunteer host passes on a concern on a phone, in each consent mode, and sees it picked up."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from signalen.models import Signaal, Status, Toestemming
from tests.e2e.conftest import log_in, serious_axe_violations
from toegang.demo import DEMO_PASSWORD
from toegang.models import User

pytestmark = pytest.mark.browser

REFERENTIE = re.compile(r"^BT-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}$")


@pytest.fixture
def gastvrouw(demo, phone_page):
    log_in(phone_page, demo, "gastvrouw", DEMO_PASSWORD)
    assert phone_page.url == f"{demo}/signalen/nieuw/"
    return phone_page


def _common(page, leefgebied: str, omschrijving: str) -> None:
    page.get_by_label(leefgebied).check()
    page.get_by_label("Wat zag of hoorde u?").fill(omschrijving)


def _submit_and_confirm(page) -> Signaal:
    page.get_by_role("button", name="Signaal doorgeven").click()
    page.wait_for_url(re.compile(r".*/signalen/ontvangen/.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Signaal ontvangen"
    code = page.locator("#referentie").inner_text().strip()
    assert REFERENTIE.match(code), code
    assert serious_axe_violations(page) == []
    return Signaal.objects.get(referentie=code)


def _fits_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scrolling on a phone: {width}px"


def test_met_toestemming_on_a_phone(gastvrouw):
    page = gastvrouw
    assert serious_axe_violations(page) == []
    _fits_the_screen(page)
    page.get_by_label("Met toestemming").check()
    page.get_by_label("Voornaam").fill("Gerda")
    page.get_by_label("Achternaam").fill("Hoekstra")
    _common(page, "Eenzaamheid", "Mevrouw vertelt dat ze sinds de dood van haar man niemand ziet.")

    signaal = _submit_and_confirm(page)

    assert signaal.toestemming == Toestemming.MET
    assert signaal.inwoner_gegevens == {"voornaam": "Gerda", "achternaam": "Hoekstra"}


def test_zonder_toestemming_hides_the_identifying_fields_on_a_phone(gastvrouw):
    page = gastvrouw
    page.get_by_label("Voornaam").fill("Wordt niet verstuurd")
    page.get_by_label("Zonder toestemming").check()
    assert not page.get_by_label("Voornaam").is_visible()
    assert page.get_by_text("Deze velden blijven leeg").is_visible()
    assert serious_axe_violations(page) == []
    _common(page, "Financiën", "Een bezoeker vertelt over oplopende schulden, wil geen naam geven.")

    signaal = _submit_and_confirm(page)

    assert signaal.toestemming == Toestemming.ZONDER
    assert signaal.inwoner is None
    assert signaal.huishouden.gezinsleden.count() == 0


def test_warme_overdracht_with_a_safety_concern_on_a_phone(gastvrouw):
    page = gastvrouw
    page.get_by_label("Warme overdracht").check()
    contact = page.get_by_label("Hoe kan de consulent via u contact leggen?")
    assert contact.is_visible()
    page.get_by_label("Voornaam").fill("Aylin")
    _common(page, "Opvoeden en opgroeien", "Moeder wil graag met iemand praten over thuis.")
    contact.fill("Bel het inloophuis; ze komt op dinsdagochtend.")
    assert not page.get_by_text("Bel Veilig Thuis").is_visible()
    page.get_by_label(re.compile("zorgen over de veiligheid")).check()
    assert page.get_by_text("0800-2000").first.is_visible()
    assert page.get_by_label("Dringend: vandaag of morgen").is_checked()
    assert serious_axe_violations(page) == []

    signaal = _submit_and_confirm(page)

    assert signaal.toestemming == Toestemming.WARME_OVERDRACHT
    assert (signaal.veiligheid, signaal.urgent) == (True, True)
    assert signaal.contactroute.startswith("Bel het inloophuis")
    assert page.get_by_role("heading", name="Zorg om veiligheid").is_visible()


def test_errors_are_summarised_focused_and_accessible_on_a_phone(gastvrouw):
    page = gastvrouw
    before = Signaal.objects.count()
    page.get_by_role("button", name="Signaal doorgeven").click()
    page.wait_for_load_state("networkidle")

    summary = page.get_by_role("alert")
    assert "Controleer het formulier" in summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")
    summary.get_by_role("link", name="Beschrijf kort wat u zag of hoorde.").click()
    assert page.get_by_label("Wat zag of hoorde u?").evaluate("el => el === document.activeElement")
    assert serious_axe_violations(page) == []
    assert Signaal.objects.count() == before


def _relay_in_a_thread() -> None:
    """Deliver waiting events (the relay owns an event loop; this thread has Playwright's)."""
    from tests.toegang.events.helpers import relay_until_idle

    def run() -> None:
        try:
            relay_until_idle()
        finally:
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)


def test_the_melder_sees_the_status_change_live(gastvrouw, demo):
    page = gastvrouw
    page.get_by_label("Zonder toestemming").check()
    _common(page, "Wonen", "Iemand slaapt al weken in zijn auto op het parkeerterrein.")
    signaal = _submit_and_confirm(page)
    page.get_by_role("link", name="Naar Mijn signalen").click()
    kaart = page.locator(f"#signaal-{signaal.referentie}")
    assert "Ontvangen" in kaart.inner_text()
    assert serious_axe_violations(page) == []
    page.locator("#live-status[data-state='connected']").wait_for(state="attached")

    from signalen.services import signaal_terugkoppelen

    teamleider = User.objects.get(username="teamleider")
    signaal_terugkoppelen(
        signaal=signaal,
        status=Status.DOORVERWEZEN,
        bericht="Doorverwezen naar de woningcorporatie.",
        by=teamleider,
    )
    _relay_in_a_thread()

    expect(page.locator(f"#signaal-{signaal.referentie}")).to_contain_text(
        "Doorverwezen naar de woningcorporatie"
    )
    assert "Doorverwezen" in kaart.inner_text()


def test_the_teamleider_assigns_an_aanmelding_and_the_consulent_gives_feedback(demo, page):
    from signalen.services import signaal_receive

    gastvrouw = User.objects.get(username="gastvrouw")
    signaal = signaal_receive(
        melder=gastvrouw,
        data={
            "toestemming": "warme_overdracht",
            "inwoner": {"voornaam": "Rutger"},
            "leefgebieden": ["werk"],
            "omschrijving": "Hij zoekt al maanden werk en raakt de moed kwijt.",
            "contactroute": "Via het inloophuis, woensdagmiddag.",
            "urgent": True,
        },
    )
    log_in(page, demo, "teamleider", DEMO_PASSWORD)
    page.get_by_role("link", name=signaal.referentie).click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Aanmelding {signaal.referentie}"
    assert page.get_by_text("raakt de moed kwijt").is_visible()
    assert serious_axe_violations(page) == []
    sanne = User.objects.get(username="consulent")
    page.get_by_label("Kies een consulent").select_option(value=str(sanne.pk))
    page.get_by_role("button", name="Toewijzen", exact=True).click()
    page.wait_for_url(f"{demo}/signalen/aanmeldingen/")
    notice = "U heeft de aanmelding toegewezen aan Sanne de Vries"
    assert notice in page.locator(".messages").inner_text()
    assert serious_axe_violations(page) == []

    signaal.refresh_from_db()
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/{signaal.casus_id}/")
    kaart = page.locator(f"#signaal-{signaal.pk}")
    kaart.wait_for()
    assert "raakt de moed kwijt" in kaart.inner_text()
    assert serious_axe_violations(page) == []
    kaart.get_by_label("Status voor de melder").select_option("afgerond")
    kaart.get_by_label("Bericht aan de melder (optioneel)").fill("Hij heeft een werkcoach.")
    kaart.get_by_role("button", name="Terugkoppeling opslaan").click()
    expect(page.locator(f"#signaal-{signaal.pk} .status")).to_have_text("Afgerond")
    signaal.refresh_from_db()
    assert (signaal.status, signaal.terugkoppeling) == (Status.AFGEROND, "Hij heeft een werkcoach.")


def test_a_failed_link_shows_its_error_on_the_casus_page(demo, page):
    """htmx swaps a 400 answer (the fragment with its errors) instead of showing nothing."""
    from casussen.models import Casus

    consulent = User.objects.get(username="consulent")
    casus = Casus.objects.filter(aanspreekpunt=consulent).exclude(status="afgesloten").first()
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/{casus.pk}/")
    page.get_by_label("Signaal koppelen met referentie").fill("BT-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Koppelen", exact=True).click()
    expect(page.get_by_text("Geen wachtend signaal van dit team gevonden")).to_be_visible()
