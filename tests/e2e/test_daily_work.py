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
