"""Daily work without stumbling (issue 17), each from the role's point of view."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import log_in, serious_axe_violations
from toegang.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _own_casus():
    from casussen.models import Casus

    return (
        Casus.objects.filter(aanspreekpunt__username="consulent")
        .order_by("huishouden__created_at")
        .first()
    )


def test_consultant_reads_one_date_format_and_dutch_addresses(demo, page):
    casus = _own_casus()
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/{casus.pk}/")
    leden = page.get_by_role("table", name="Gezinsleden")
    eerste = leden.locator("tbody tr").first.locator("td")
    assert re.fullmatch(r"\d{2}-\d{2}-\d{4}", eerste.nth(1).inner_text().strip())
    assert re.fullmatch(r".+ \d+\w*, \d{4} [A-Z]{2} Putten", eerste.nth(2).inner_text().strip())
    tijdlijn = page.locator("ol.tijdlijn li").first.inner_text()
    assert re.match(
        r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|"
        r"oktober|november|december) \d{4}, \d{2}:\d{2}",
        tijdlijn,
    )
    body = page.locator("main").inner_text()
    assert not ENGLISH_MONTHS.search(body)
    assert not ISO_DATE.search(body)
    assert serious_axe_violations(page) == []


def test_team_lead_sees_no_iso_dates_in_the_queue(demo, page):
    log_in(page, demo, "teamleider", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/caseload/")
    body = page.locator("main").inner_text()
    assert not ENGLISH_MONTHS.search(body)
    assert not ISO_DATE.search(body)


def _aanmelding_over(voornaam: str):
    from signalen.services import signaal_receive
    from toegang.models import User

    return signaal_receive(
        melder=User.objects.get(username="gastvrouw"),
        data={
            "toestemming": "warme_overdracht",
            "inwoner": {"voornaam": voornaam},
            "leefgebieden": ["werk"],
            "omschrijving": "Zoekt werk en raakt de moed kwijt.",
            "contactroute": "Via het inloophuis.",
        },
    )


def test_consultant_sees_the_household_by_name_in_the_casus_heading(demo, page):
    casus = _own_casus()
    aanvrager = casus.huishouden.gezinsleden.get(relatie="aanvrager")
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/{casus.pk}/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith(f"Huishouden {aanvrager.achternaam}")
    assert casus.referentie in heading


def test_team_lead_assigns_by_name_with_the_caseload_in_view_and_lands_on_the_queue(
    demo, page, relay_running
):
    from toegang.models import User

    signaal = _aanmelding_over("Rutger")
    sanne = User.objects.get(username="consulent")
    log_in(page, demo, "teamleider", DEMO_PASSWORD)
    page.locator(".live-status[data-state='connected']").wait_for(state="attached")
    assert page.locator("#live-status").inner_text() == "Deze pagina werkt zichzelf bij"
    link = page.get_by_role("link", name=re.compile(rf"^Rutger \({signaal.referentie}\)"))
    link.click()
    keuze = page.get_by_label("Kies een consulent")
    opties = keuze.locator("option").all_inner_texts()
    open_bij_sanne = sanne.casussen_als_aanspreekpunt.exclude(status="afgesloten").count()
    assert f"Sanne de Vries ({open_bij_sanne} open casussen)" in opties
    assert serious_axe_violations(page) == []
    keuze.select_option(value=str(sanne.pk))
    page.get_by_role("button", name="Toewijzen", exact=True).click()
    page.wait_for_url(f"{demo}/signalen/aanmeldingen/")
    melding = page.locator(".messages").inner_text()
    assert "U heeft de aanmelding toegewezen aan Sanne de Vries" in melding
    # Her own action reaches this page as events too; it is not echoed back as "N wijzigingen".
    page.locator(".live-status[data-state='connected']").wait_for(state="attached")
    page.wait_for_timeout(2_500)
    assert "wijziging" not in page.locator("main").inner_text()
    signaal.refresh_from_db()
    assert signaal.casus.aanspreekpunt == sanne


def test_consultant_who_picks_up_an_aanmelding_lands_on_the_casus(demo, page):
    signaal = _aanmelding_over("Rutger")
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/signalen/aanmeldingen/{signaal.pk}/")
    page.get_by_role("button", name="Zelf oppakken en casus openen").click()
    signaal.refresh_from_db()
    page.wait_for_url(f"{demo}/casussen/{signaal.casus_id}/")
    assert "U bent nu het aanspreekpunt" in page.locator(".messages").inner_text()


def test_team_lead_follows_the_waiting_casus_link_and_chooses_an_aanspreekpunt(demo, page):
    from casussen.models import Casus

    wachtend = Casus.objects.get(aanspreekpunt__isnull=True)
    log_in(page, demo, "teamleider", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/caseload/")
    page.get_by_role("link", name="1 casus wacht op een aanspreekpunt").click()
    sectie = page.get_by_role("region", name="Casussen zonder aanspreekpunt")
    assert wachtend.referentie in sectie.inner_text()
    assert serious_axe_violations(page) == []
    sectie.get_by_role("link", name=re.compile("Aanspreekpunt kiezen")).click()
    page.wait_for_url(f"{demo}/casussen/{wachtend.pk}/overdracht/")
    opties = page.get_by_label("Nieuw aanspreekpunt").locator("option").all_inner_texts()
    assert any(re.search(r"Sanne de Vries .*— \d+ open casus", o) for o in opties)


def test_team_lead_decides_a_possible_match_on_evidence_and_asks_the_aanspreekpunt(demo, page):
    from datetime import date

    from casussen.services.casus import casus_open
    from signalen.services import signaal_receive
    from tests.casussen.factories import gezinslid_values, make_huishouden
    from toegang.models import User

    sanne = User.objects.get(username="consulent")
    huishouden, _ = make_huishouden(
        gezinslid_values(voornaam="Wim", achternaam="Zonneveld", geboortedatum=date(1970, 5, 1)),
        gezinslid_values(voornaam="Els", achternaam="Zonneveld", relatie="partner"),
    )
    casus = casus_open(huishouden=huishouden, aanspreekpunt=sanne, team=sanne.team, by=sanne)
    signaal = signaal_receive(
        melder=User.objects.get(username="huisarts"),
        data={
            "toestemming": "met_toestemming",
            "inwoner": {"achternaam": "Zonneveld", "geboortedatum": "1970-05-01"},
            "leefgebieden": ["gezondheid"],
            "omschrijving": "Veel klachten door stress.",
        },
    )
    log_in(page, demo, "teamleider", DEMO_PASSWORD)
    page.goto(f"{demo}/signalen/aanmeldingen/{signaal.pk}/")
    kandidaten = page.locator("article.match-kandidaat")
    assert kandidaten.count() == 1
    sleutels = kandidaten.get_by_role("table", name="Wat komt overeen")
    rijen = {
        r.locator("th").inner_text(): r.locator("td").inner_text()
        for r in sleutels.locator("tbody tr").all()
    }
    assert rijen == {
        "BSN": "— niet opgegeven in het signaal",
        "Achternaam en geboortedatum": "✔ komt overeen",
        "Postcode en huisnummer": "— niet opgegeven in het signaal",
    }
    leden = kandidaten.get_by_role("table", name=re.compile("Gezinsleden")).inner_text()
    assert "Wim Zonneveld" in leden and "Els Zonneveld" in leden and "01-05-1970" in leden
    assert (
        f"Open casus {casus.referentie}, aanspreekpunt: Sanne de Vries" in kandidaten.inner_text()
    )
    assert serious_axe_violations(page) == []
    kandidaten.get_by_role("button", name="Vraag het aan Sanne de Vries").click()
    assert "Uw vraag staat bij Sanne de Vries" in page.locator(".messages").inner_text()

    page.context.clear_cookies()
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/{casus.pk}/")
    assert (
        f"Hoort aanmelding {signaal.referentie} bij dit huishouden?"
        in page.locator("ol.tijdlijn").inner_text()
    )


def test_feedback_form_keeps_the_current_status_and_separates_unlinking(demo, page):
    from signalen.models import Signaal

    casus = _own_casus()
    signaal = Signaal.objects.filter(casus=casus, status="ontvangen").first()
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/{casus.pk}/")
    kaart = page.locator(f"#signaal-{signaal.pk}")
    status = kaart.get_by_label("Status voor de melder")
    assert (
        status.locator("option:checked").inner_text() == "Ontvangen (nu) — kies een nieuwe status"
    )
    # Saving without choosing changes nothing: the browser asks for a choice first.
    kaart.get_by_role("button", name="Terugkoppeling opslaan").click()
    assert status.evaluate("el => !el.validity.valid")
    signaal.refresh_from_db()
    assert signaal.status == "ontvangen"
    # Unlinking sits apart, behind a question, and asks for confirmation.
    kaart = page.locator(f"#signaal-{signaal.pk}")
    loskoppelen = kaart.get_by_role("button", name="Signaal loskoppelen")
    assert not loskoppelen.is_visible()
    kaart.get_by_text("Hoort dit signaal niet bij deze casus?").click()
    gevraagd = []
    page.once("dialog", lambda dialog: (gevraagd.append(dialog.message), dialog.dismiss()))
    loskoppelen.click()
    assert gevraagd and "loskoppelen" in gevraagd[0]
    signaal.refresh_from_db()
    assert signaal.casus_id == casus.pk
    assert serious_axe_violations(page) == []


def test_host_sees_consent_texts_that_match_the_choice_and_why_buurt_is_filled(demo, phone_page):
    page = phone_page
    log_in(page, demo, "gastvrouw", DEMO_PASSWORD)
    page.goto(f"{demo}/signalen/nieuw/")
    page.locator(".live-status[data-state='connected']").wait_for(state="attached")
    assert not page.locator("#live-status").is_visible()  # no "live" bar for a host
    hint = page.get_by_text("Vul in wat u weet; alleen een voornaam is ook goed.")
    leeg = page.get_by_text("Deze velden blijven leeg")
    page.get_by_label("Met toestemming").check()
    assert hint.is_visible() and not leeg.is_visible()
    page.get_by_label("Zonder toestemming").check()
    assert leeg.is_visible() and not hint.is_visible()
    buurt = page.get_by_label("Buurt")
    assert buurt.input_value() == "Putten-Centrum"
    uitleg = page.locator("#id_buurt_help").inner_text()
    assert "buurt van uw organisatie (Putten-Centrum)" in uitleg
    assert serious_axe_violations(page) == []


def test_consultant_follows_the_plan_flow_in_order_from_the_casus_page(demo, page):
    from casussen.services.casus import casus_open
    from tests.casussen.factories import make_huishouden
    from toegang.models import User

    sanne = User.objects.get(username="consulent")
    huishouden, _ = make_huishouden()
    casus = casus_open(huishouden=huishouden, aanspreekpunt=sanne, team=sanne.team, by=sanne)
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/{casus.pk}/")
    plan = page.locator("#plan-fragment")
    plan.get_by_role("link", name="Brede uitvraag starten").click()
    page.wait_for_url(f"{demo}/casussen/{casus.pk}/plan/uitvraag/")
    assert page.get_by_role("heading", level=1).inner_text() == "Brede uitvraag"
    page.goto(f"{demo}/casussen/{casus.pk}/plan/")
    assert page.get_by_role("link", name="Evaluatie vastleggen").count() == 0
    assert page.get_by_text("Evalueren kan zodra het plan is vastgesteld.").is_visible()
    assert serious_axe_violations(page) == []


def test_host_tells_her_signals_apart_by_her_own_label_and_filters_the_organisation(
    demo, phone_page
):
    from signalen.services import signaal_receive
    from toegang.models import User

    page = phone_page
    collega = User.objects.create_user(
        username="gastheer",
        password=DEMO_PASSWORD,
        rol="melder",
        organisatie=User.objects.get(username="gastvrouw").organisatie,
    )
    van_collega = signaal_receive(
        melder=collega,
        data={
            "toestemming": "zonder_toestemming",
            "leefgebieden": ["wonen"],
            "omschrijving": "Lekkage in de flat.",
        },
    )
    log_in(page, demo, "gastvrouw", DEMO_PASSWORD)
    page.goto(f"{demo}/signalen/nieuw/")
    page.get_by_label("Zonder toestemming").check()
    page.get_by_label("Financiën").check()
    page.get_by_label("Wat zag of hoorde u?").fill("Veel ongeopende post.")
    page.get_by_label("Onderwerp voor uzelf (optioneel)").fill("zorgen over de huur")
    page.get_by_role("button", name="Signaal doorgeven").click()
    page.wait_for_url(re.compile(r".*/signalen/ontvangen/.*"))
    page.goto(f"{demo}/signalen/")
    kaarten = page.locator("li.kaart h2")
    assert "zorgen over de huur" in kaarten.all_inner_texts()[0]
    assert van_collega.referentie not in page.locator("main").inner_text()
    assert serious_axe_violations(page) == []
    page.get_by_role("link", name=re.compile("^Alle signalen van")).click()
    assert van_collega.referentie in page.locator("main").inner_text()
    assert "Lekkage" not in page.locator("main").inner_text()  # a colleague's content stays out


def test_consultant_prints_a_plan_with_letterhead_spider_web_and_her_phone(demo, page):
    casus = _own_casus()
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/{casus.pk}/plan/afdrukken/")
    afdruk = page.locator("article.afdruk")
    assert afdruk.locator(".briefhoofd").inner_text() == "Gemeente"
    assert afdruk.get_by_role("img", name=re.compile("Uw cijfers")).count() == 1
    contact = afdruk.locator("ul.contact").inner_text()
    assert "Telefoon: 0341 35 96" in contact and "consulent@putten.example" in contact
    assert serious_axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als PDF").click()
    assert download.value.suggested_filename == "plan.pdf"


def test_consultant_reads_the_trend_as_six_small_charts_with_a_data_table(demo, page):
    casus = _own_casus()
    log_in(page, demo, "consulent", DEMO_PASSWORD)
    page.goto(f"{demo}/casussen/{casus.pk}/plan/")
    trend = page.locator("svg.grafiek.trend").first
    titels = trend.locator("text.legenda").evaluate_all("els => els.map(e => e.textContent)")
    assert len(titels) == 6 and len(set(titels)) == 6
    assert trend.locator("polyline.trend-lijn").count() == 6
    tabel = page.get_by_role("table", name="Verloop per dimensie").first
    assert tabel.locator("tbody tr").count() == 6
