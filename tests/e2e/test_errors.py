"""Error pages as users meet them: Dutch, in the house style, never a URL list or traceback."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import log_in, serious_axe_violations
from toegang.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

DEBUG_MARKERS = ("URLconf", "Traceback", "Using the URLconf", "Page not found", "DEBUG = True")


def _assert_plain_dutch(page) -> None:
    body = page.content()
    for marker in DEBUG_MARKERS:
        assert marker not in body
    # The house style: the site's stylesheet and header, not a bare page.
    assert page.locator("link[rel=stylesheet][href*='site.css']").count() == 1
    assert page.locator(".site-header").count() == 1


def _open_missing(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Niet gevonden"
    _assert_plain_dutch(page)


def _other_consultants_casus():
    from casussen.models import Casus

    return Casus.objects.get(aanspreekpunt__username="consulent2")


def test_consultant_without_access_gets_dutch_404_with_a_way_to_noodtoegang(demo, page):
    casus = _other_consultants_casus()
    log_in(page, demo, "consulent3", DEMO_PASSWORD)
    _open_missing(page, f"{demo}/casussen/{casus.pk}/")
    uitleg = page.get_by_role("region", name="Is dit een noodsituatie?")
    assert "reden" in uitleg.inner_text()
    assert "beoordeeld" in uitleg.inner_text()
    assert serious_axe_violations(page) == []
    uitleg.get_by_role("link", name="Noodtoegang aanvragen").click()
    page.wait_for_url(f"{demo}/casussen/{casus.pk}/noodtoegang/")
    assert page.get_by_role("heading", level=1).inner_text() == "Noodtoegang"
    assert page.get_by_label("Reden").count() == 1


def test_unknown_casus_address_offers_the_same_as_an_existing_one(demo, page):
    """No existence leak: a made-up casus address looks exactly like one without access."""
    log_in(page, demo, "consulent3", DEMO_PASSWORD)
    _open_missing(page, f"{demo}/casussen/{uuid.uuid4()}/")
    assert page.get_by_role("link", name="Noodtoegang aanvragen").count() == 1


def test_other_pages_and_roles_get_a_plain_404_without_noodtoegang(demo, page):
    casus = _other_consultants_casus()
    log_in(page, demo, "gastvrouw", DEMO_PASSWORD)
    _open_missing(page, f"{demo}/bestaat/niet/")
    response = page.goto(f"{demo}/casussen/{casus.pk}/")
    assert response.status in (403, 404)
    assert page.get_by_role("link", name="Noodtoegang aanvragen").count() == 0
    _assert_plain_dutch(page)


def test_forbidden_page_is_dutch_403(demo, page):
    log_in(page, demo, "gastvrouw", DEMO_PASSWORD)
    response = page.goto(f"{demo}/casussen/caseload/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Geen toegang"
    _assert_plain_dutch(page)
    assert serious_axe_violations(page) == []
