"""The strict Content-Security-Policy holds on every role's pages in a real browser.

Each demo role logs in and walks through its pages, with htmx and the live
updates running, while the browser's console is watched: a script, style or
connection the policy refuses shows up there as a violation. None may.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in
from toegang.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

#: Per demo role: the pages it opens (links followed by their visible name).
ROLE_PAGES = {
    "consulent": ["/casussen/", "/casussen/?status=alle"],
    "teamleider": ["/signalen/aanmeldingen/", "/casussen/caseload/"],
    "gastvrouw": ["/signalen/nieuw/", "/signalen/"],
    "privacy": [
        "/audit/",
        "/audit/beoordelen/",
        "/audit/inzageverzoek/",
        "/casussen/vernietiging/",
        "/casussen/bewaartermijnen/",
    ],
    "beleid": ["/monitor/"],
    "beheerder": [
        "/beheer/",
        "/beheer/toegang/user/",
        "/api/v1/docs/",
        "/casussen/bewaartermijnen/",
    ],
}


@pytest.fixture
def watched_page(page):
    """The page (under the CSP, see conftest) with its console's CSP reports collected."""
    violations: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return page, violations


def _open(page, url: str) -> int:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return response.status if response else 0


@pytest.mark.parametrize("username", list(ROLE_PAGES))
def test_no_csp_violation_on_the_pages_of_each_role(demo, watched_page, username):
    page, violations = watched_page
    log_in(page, demo, username, DEMO_PASSWORD)
    visited = [page.url]
    for path in ROLE_PAGES[username]:
        if _open(page, f"{demo}{path}") == 200:
            visited.append(path)
    if username == "consulent":  # a casus page with its plan: htmx fragments and live updates
        from casussen.models import Casus

        casus = (
            Casus.objects.filter(aanspreekpunt__username=username)
            .exclude(status="afgesloten")
            .first()
        )
        _open(page, f"{demo}/casussen/{casus.pk}/")
        page.locator(".live-status[data-state='connected']").wait_for(state="attached")
        visited.append(page.url)
        _open(page, page.url.rstrip("/") + "/plan/")  # the plan with its charts and bars
        visited.append(page.url)
    assert len(visited) > 1
    assert violations == []


def test_the_policy_is_strict(demo, watched_page):
    page, _ = watched_page
    response = page.goto(f"{demo}/inloggen/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "script-src 'self'" in policy and "object-src 'none'" in policy


def test_an_inline_script_is_refused_and_reported(demo, watched_page):
    """The check above can fail: a page that does carry an inline script is caught."""
    page, violations = watched_page
    page.goto(f"{demo}/inloggen/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.ran = true'; document.body.appendChild(s); }"""
    )
    page.locator("body").wait_for()
    assert page.evaluate("() => window.ran === undefined")
    page.wait_for_timeout(200)
    assert any("script-src" in v for v in violations)
