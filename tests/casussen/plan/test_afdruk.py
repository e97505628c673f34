"""The resident's printout (HTML and PDF): plain Dutch, and nothing internal in it."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from django.urls import reverse
from django.utils import timezone

from casussen.plan import services
from casussen.plan.constants import MetingSoort
from tests.casussen.plan.conftest import scores

pytestmark = pytest.mark.django_db

NOTE = "Vermoeden van huiselijk geweld"
WORDS = "Ik slaap slecht door de zorgen"
REASON = "Beschermingsbewind nodig wegens snel oplopende schulden"


@pytest.fixture
def full_plan(casus, consulent, plan, doel, make_actie):
    services.meting_record(
        casus=casus,
        by=consulent,
        soort=MetingSoort.UITVRAAG,
        datum=timezone.localdate(),
        scores=scores(),
        toelichtingen={"lichaamsfuncties": WORDS},
        notities={"veiligheid": NOTE},
    )
    make_actie(
        doel,
        trede=1,
        omschrijving="Samen met zus Els de post openen",
        eigenaar_soort="netwerk",
        eigenaar_omschrijving="uw zus Els",
    )
    make_actie(doel, trede=3, omschrijving="Bewindvoering aanvragen", eigenaar_soort="gemeente")
    actie = make_actie(
        doel,
        trede=4,
        omschrijving="Crisisopvang regelen",
        eigenaar_soort="gemeente",
        reden_zwaar=REASON,
    )
    services.plan_vaststellen(
        plan=plan,
        casus=casus,
        by=consulent,
        datum=timezone.localdate(),
        aanwezig=["Inwoner", "Interne collega X"],
    )
    return actie


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


FORBIDDEN = [
    NOTE,
    WORDS,
    REASON,
    "trede",
    "Trede",
    "maatwerk",
    "Maatwerk",
    "vangnet",
    "Vangnet",
    "Interne collega X",
    "audit",
    "Audit",
]


def _assert_clean(text: str, casus, consulent) -> None:
    for word in FORBIDDEN:
        assert word not in text, word
    for internal in (str(casus.pk), str(casus.huishouden_id), consulent.username):
        assert internal not in text


def test_the_pdf_has_goals_actions_and_nothing_internal(full_plan, login, consulent, casus):
    response = login(consulent).get(reverse("casussen:plan:pdf", args=[casus.pk]))
    text = _pdf_text(response.content)
    assert "Uw plan" in text
    assert "Ik wil weer rust in mijn hoofd over geld" in text
    assert "Samen met zus Els de post openen" in text
    assert "Wie doet het? Iemand uit uw omgeving: uw zus Els" in text
    assert "We hebben dit plan samen afgesproken op" in text
    assert "Wat wilt u bereiken?" in text and "Hoe gaat het met u?" in text
    assert consulent.get_full_name() in text
    _assert_clean(text, casus, consulent)


def test_the_print_page_has_nothing_internal(full_plan, login, consulent, casus):
    html = (
        login(consulent).get(reverse("casussen:plan:afdrukken", args=[casus.pk])).content.decode()
    )
    article = html[html.index('<article class="afdruk">') : html.index("</article>")]
    assert "Crisisopvang regelen" in article
    _assert_clean(article, casus, consulent)


def test_a_draft_is_printed_as_not_yet_agreed(casus, consulent, plan, doel, login):
    response = login(consulent).get(reverse("casussen:plan:pdf", args=[casus.pk]))
    text = _pdf_text(response.content)
    assert "Dit plan is nog niet klaar" in text
    assert "afgesproken op" not in text


def test_text_outside_latin1_does_not_break_the_pdf(casus, consulent, plan, login):
    services.doel_add(
        plan=plan,
        casus=casus,
        by=consulent,
        tekst="Rust “in mijn hoofd” – zonder stress 🙂 ≥ 2 keer",
        dimensies=["zingeving"],
        gezinsleden=[casus.huishouden.gezinsleden.first().pk],
    )
    response = login(consulent).get(reverse("casussen:plan:pdf", args=[casus.pk]))
    assert response.status_code == 200
    assert 'Rust "in mijn hoofd" - zonder stress' in _pdf_text(response.content)


def test_the_pdf_has_the_letterhead_the_spider_web_and_how_to_reach_the_consultant(
    full_plan, login, consulent, casus, settings
):
    from pathlib import Path

    settings.GEMEENTE_NAAM = "Gemeente Voorbeeld"
    settings.GEMEENTE_LOGO = str(
        Path(__file__).resolve().parents[3] / "toegang/static/toegang/img/demo-logo.png"
    )
    consulent.telefoon, consulent.email = "0341 35 96 11", "s.devries@voorbeeld.example"
    consulent.save(update_fields=["telefoon", "email"])
    response = login(consulent).get(reverse("casussen:plan:pdf", args=[casus.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    text = _pdf_text(response.content)
    assert text.lstrip().startswith("Gemeente Voorbeeld")
    assert len(reader.pages[0].images) == 1  # the logo
    assert "Telefoon: 0341 35 96 11" in text
    assert "E-mail: s.devries@voorbeeld.example" in text
    # The spider web: each dimension's label once in the table and once at its axis.
    assert text.count("Meedoen met anderen") == 2


def test_the_print_page_has_the_letterhead_the_spider_web_and_the_contact(
    full_plan, login, consulent, casus, settings
):
    settings.GEMEENTE_NAAM = "Gemeente Voorbeeld"
    consulent.telefoon = "0341 35 96 11"
    consulent.save(update_fields=["telefoon"])
    html = (
        login(consulent).get(reverse("casussen:plan:afdrukken", args=[casus.pk])).content.decode()
    )
    briefhoofd = html[html.index('<p class="briefhoofd">') :]
    assert briefhoofd[: briefhoofd.index("</p>")].endswith(">Gemeente Voorbeeld")
    assert 'class="grafiek spinnenweb"' in html
    assert "0341 35 96 11" in html


def test_the_print_page_has_the_apps_logo_with_alt_text(full_plan, login, consulent, casus):
    import re

    html = (
        login(consulent).get(reverse("casussen:plan:afdrukken", args=[casus.pk])).content.decode()
    )
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    article = html[html.index('<article class="afdruk">') : html.index("</article>")]
    logo = re.search(r'<img class="logo" src="([^"]+)"[^>]*alt="([^"]*)"', article)
    assert logo is not None, "the printout has no logo"
    assert logo.group(1).endswith("/toegang/img/logo.svg")
    assert logo.group(2) == "Logo Brede Toegang"
    assert f'src="{logo.group(1)}"' in header  # the same logo as the app's header
