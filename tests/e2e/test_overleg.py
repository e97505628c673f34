"""A whole sociaal vangnet overleg in browsers, from a fresh demo, through the real relay.

The consulent brings a casus in with the resident's consent, the chair publishes,
two partner participants (separate browser contexts) follow the current item live,
an afspraak becomes a plan action the partner updates, and a day later the
partner sees nothing. The clock moves with ``OVERLEG_KLOKVERSCHUIVING_UREN``, which
the server itself honours (demo/test mode): nothing of the access code is mocked.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from django.utils import timezone

from casussen.models import Casus
from casussen.overleg.models import Afspraak, Sessie
from casussen.plan.constants import ActieStatus
from tests.e2e.conftest import log_in, serious_axe_violations
from toegang.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

HULPVRAAG = "Huurachterstand van drie maanden; de verhuurder dreigt met ontruiming."


def _context_page(browser, base_url, username):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, username, DEMO_PASSWORD)
    return page


def _live(page, base_url, path):
    page.goto(f"{base_url}{path}")
    page.wait_for_selector(".live-status[data-state='connected']", state="attached")


def test_a_whole_session_from_bringing_in_to_expiry(browser, demo, relay_running, settings):
    casus = (
        Casus.objects.filter(aanspreekpunt__username="consulent")
        .exclude(status="afgesloten")
        .order_by("opened_at", "id")
        .first()
    )
    sessie = Sessie.objects.get(gepubliceerd_op__isnull=True)
    sessie_path = f"/casussen/overleg/sessies/{sessie.pk}/"

    # The aanspreekpunt brings the casus in, with the resident's consent.
    consulent = _context_page(browser, demo, "consulent")
    consulent.goto(f"{demo}/casussen/{casus.pk}/")
    consulent.get_by_role("link", name="Inbrengen in overleg").click()
    consulent.locator("#id_sessie").select_option(index=1)  # label "Overleg *"
    consulent.get_by_label("Hulpvraag").fill(HULPVRAAG)
    consulent.get_by_label("Wat is al geprobeerd?").fill("Budgetcoaching; twee afspraken gemist.")
    consulent.get_by_label("Vraag aan het overleg").fill("Wie regelt een betalingsregeling?")
    consulent.get_by_label("Financiën").check()
    consulent.get_by_label("Wonen").check()
    consulent.get_by_label("Grondslag voor het delen").select_option("toestemming")
    consulent.get_by_label("Datum toestemming").fill(
        (timezone.localdate() - timedelta(days=1)).isoformat()
    )
    consulent.get_by_label("Reikwijdte van de toestemming").fill(
        "Mondeling, voor de huisarts en Putten voor Elkaar, voor dit overleg."
    )
    consulent.get_by_label(re.compile(r"Pieter Kok")).check()
    consulent.get_by_label(re.compile(r"Kees Visser")).check()
    consulent.get_by_role("button", name="Inbrengen").click()
    consulent.wait_for_url(re.compile(rf".*{sessie_path}$"))

    # Nobody outside sees it before publication; the chair publishes.
    huisarts = _context_page(browser, demo, "huisarts")
    assert huisarts.goto(f"{demo}{sessie_path}").status == 404
    voorzitter = _context_page(browser, demo, "teamleider")
    voorzitter.goto(f"{demo}{sessie_path}")
    voorzitter.get_by_role("button", name="Agenda publiceren").click()
    voorzitter.get_by_text("De agenda is gepubliceerd.").wait_for()

    # Two partners on their own devices follow the current item live.
    welzijn = _context_page(browser, demo, "welzijn")
    _live(huisarts, demo, sessie_path)
    _live(welzijn, demo, sessie_path)
    for partner in (huisarts, welzijn):
        partner.locator("#huidig").get_by_text("nog geen agendapunt gekozen").wait_for()
    voorzitter.get_by_role("button", name="Agendapunt 1 bespreken").click()
    for partner in (huisarts, welzijn):
        huidig = partner.locator("#huidig")
        huidig.get_by_text("Nu besproken: agendapunt 1").wait_for(timeout=8_000)
        huidig.get_by_text(HULPVRAAG).wait_for()

    assert serious_axe_violations(voorzitter) == []
    assert serious_axe_violations(welzijn) == []

    # The chair records an afspraak for the huisarts.
    voorzitter.locator("summary", has_text="Afspraak vastleggen").click()
    voorzitter.locator("#punt1_omschrijving").fill("Huisbezoek en stressklachten bespreken.")
    voorzitter.locator("#punt1_eigenaar_soort").select_option("organisatie")
    voorzitter.locator("#punt1_organisatie").select_option(label="Huisartsenpraktijk De Vijf Eiken")
    voorzitter.locator("#punt1_datum").fill((timezone.localdate() + timedelta(days=10)).isoformat())
    voorzitter.locator("#punt1_trede").select_option("2")
    voorzitter.get_by_role("button", name="Afspraak vastleggen").click()
    voorzitter.get_by_text("De afspraak is vastgelegd.").wait_for()

    # The aanspreekpunt confirms: it becomes an action in the plan.
    consulent.goto(f"{demo}/casussen/{casus.pk}/")
    consulent.get_by_role("link", name="In het plan zetten").click()
    consulent.get_by_role("button", name="Bevestigen").click()
    consulent.get_by_text("De afspraak staat als actie in het plan.").wait_for()
    afspraak = Afspraak.objects.select_related("actie").get(agendapunt__sessie=sessie)
    assert afspraak.actie is not None and afspraak.actie.trede == 2

    # The huisarts updates their own action.
    huisarts.goto(f"{demo}/casussen/overleg/afspraken/")
    huisarts.get_by_label("Status").select_option("bezig")
    huisarts.get_by_role("button", name="Bijwerken").click()
    huisarts.get_by_text("De status is bijgewerkt.").wait_for()
    afspraak.actie.refresh_from_db()
    assert afspraak.actie.status == ActieStatus.BEZIG

    # A day after the session the partner sees nothing of it any more.
    settings.OVERLEG_KLOKVERSCHUIVING_UREN = 30
    punt_path = f"/casussen/overleg/punten/{afspraak.agendapunt_id}/"
    assert huisarts.goto(f"{demo}{sessie_path}").status == 404
    assert huisarts.goto(f"{demo}{punt_path}").status == 404
    assert HULPVRAAG not in huisarts.content()
    huisarts.goto(f"{demo}/casussen/overleg/")
    assert "Er is geen overleg dat u nu kunt inzien." in huisarts.content()
    for page in (consulent, voorzitter, huisarts, welzijn):
        page.context.close()
