"""A consultant takes a household from the brede uitvraag to an agreed plan and an evaluation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.utils import timezone

from casussen.plan.models import Actie, Doel, Meting, Plan, PlanVersie
from casussen.services.casus import casus_open
from tests.casussen.factories import make_huishouden
from tests.e2e.conftest import log_in, serious_axe_violations
from tests.toegang.factories import PASSWORD, OrganisatieFactory, TeamFactory, UserFactory
from toegang.models import Organisatie
from toegang.roles import Rol

pytestmark = pytest.mark.browser

UITVRAAG = {
    "Lichaamsfuncties": 5,
    "Mentaal welbevinden": 3,
    "Zingeving": 4,
    "Kwaliteit van leven": 4,
    "Meedoen": 2,
    "Dagelijks functioneren": 6,
}
EVALUATIE = {
    "Lichaamsfuncties": 6,
    "Mentaal welbevinden": 6,
    "Zingeving": 5,
    "Kwaliteit van leven": 6,
    "Meedoen": 5,
    "Dagelijks functioneren": 6,
}


@pytest.fixture
def casus(server):
    gemeente = OrganisatieFactory(naam="Gemeente Putten", soort=Organisatie.Soort.GEMEENTE)
    team = TeamFactory(organisatie=gemeente)
    consulent = UserFactory(
        username="sanne",
        first_name="Sanne",
        last_name="de Vries",
        rol=Rol.CONSULENT,
        organisatie=gemeente,
        team=team,
    )
    huishouden, _ = make_huishouden({"voornaam": "Anna", "achternaam": "Jansen"})
    return casus_open(huishouden=huishouden, aanspreekpunt=consulent, team=team, by=consulent)


def _date(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def _scores(page, values: dict[str, int]) -> None:
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(str(value))


def _add_actie(page, doel: int, omschrijving: str, eigenaar: str, trede: str) -> None:
    page.get_by_role("link", name=f"Actie toevoegen (doel {doel})").click()
    page.get_by_label("Wat gaat er gebeuren?").fill(omschrijving)
    page.get_by_label(eigenaar, exact=True).check()
    page.get_by_label("Klaar op").fill(_date(-30))
    page.get_by_label(trede).check()
    page.get_by_role("button", name="Actie opslaan").click()


def test_consultant_from_uitvraag_to_agreed_plan_to_evaluation(casus, server, page):
    log_in(page, server, "sanne", PASSWORD)
    page.goto(f"{server}/casussen/{casus.pk}/")
    page.get_by_role("link", name="Naar het plan").click()  # the live plan fragment

    # Brede uitvraag
    page.get_by_role("link", name="Brede uitvraag vastleggen").click()
    assert serious_axe_violations(page) == []
    page.get_by_label("Datum van het gesprek").fill(_date(30))
    _scores(page, UITVRAAG)
    page.get_by_label("In de woorden van de inwoner (Meedoen)").fill("Ik zie bijna niemand.")
    page.get_by_label("Financiën").fill("Achterstand bij de energieleverancier.")
    page.get_by_role("button", name="Uitvraag opslaan").click()
    assert "De brede uitvraag is opgeslagen." in page.content()

    # The plan with two goals and three actions on different treden
    page.get_by_label("Startdatum van het plan").fill(_date(28))
    page.get_by_role("button", name="Plan starten").click()
    for tekst, dimensie in [
        ("Ik wil weer overzicht over mijn geld.", "Mentaal welbevinden"),
        ("Ik wil vaker onder de mensen zijn.", "Meedoen"),
    ]:
        page.get_by_role("link", name="Doel toevoegen").click()
        page.get_by_label("Het doel, in de woorden van de inwoner").fill(tekst)
        page.get_by_label("Anna Jansen").check()
        page.get_by_label(dimensie, exact=True).check()
        page.get_by_role("button", name="Doel opslaan").click()
    _add_actie(page, 1, "Samen met mijn zus de post openen", "Netwerk", "1 Eigen kracht en netwerk")
    _add_actie(
        page,
        1,
        "Naar het Financieel Café",
        "Partnerorganisatie",
        "2 Algemene voorziening / sociale basis",
    )
    _add_actie(page, 2, "Dagbesteding via een indicatie", "Gemeente", "3 Maatwerk")
    # licht waar kan: the only action of goal 2 is trede 3, so a reason is asked first
    reason = page.get_by_label("Waarom is zwaardere ondersteuning nodig?")
    assert reason.is_visible()
    assert serious_axe_violations(page) == []
    reason.fill("Angstklachten; een inloophuis alleen lukt nu niet.")
    page.get_by_role("button", name="Actie opslaan").click()
    assert Actie.objects.count() == 3
    assert sorted(Actie.objects.values_list("trede", flat=True)) == [1, 2, 3]
    plan_html = page.content()
    assert "1 Eigen kracht en netwerk" in plan_html
    assert serious_axe_violations(page) == []

    # Vaststellen with the resident
    page.get_by_role("link", name="Plan vaststellen").click()
    page.get_by_label("Anna Jansen").check()
    page.get_by_role("button", name="Vaststellen").click()
    assert "Versie 1 van het plan is vastgesteld." in page.content()
    assert PlanVersie.objects.filter(nummer=1).exists()

    # Evaluatie: scores again, goals judged
    page.get_by_role("link", name="Evaluatie vastleggen").click()
    _scores(page, EVALUATIE)
    page.get_by_label("Ik wil weer overzicht over mijn geld.").select_option("bereikt")
    page.get_by_label("Ik wil vaker onder de mensen zijn.").select_option("deels_bereikt")
    page.get_by_role("button", name="Evaluatie opslaan").click()

    # The trend: a chart over time and its table
    trend = page.locator("svg.trend")
    assert trend.count() == 1
    assert trend.get_attribute("role") == "img"
    table = page.get_by_role("table", name="Verloop per dimensie")
    meedoen = table.get_by_role("row", name="Meedoen")
    assert meedoen.get_by_role("cell").all_inner_texts() == ["2", "5"]
    eerste_laatste = page.get_by_role("table", name="Eerste en laatste meting")
    assert eerste_laatste.get_by_role("row", name="Mentaal welbevinden").get_by_role(
        "cell"
    ).all_inner_texts() == ["3", "6", "+3"]
    assert "Bereikt" in page.content() and "Deels bereikt" in page.content()
    assert serious_axe_violations(page) == []

    assert Meting.objects.count() == 2
    assert set(Doel.objects.values_list("uitkomst", flat=True)) == {"bereikt", "deels_bereikt"}
    assert Plan.objects.get().status == "vastgesteld"
