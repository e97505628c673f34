"""Live pages that stay true: a change from a second session shows on the first page.

The consultant keeps her casus page open; colleagues change each part of it. Every
part (status, timeline, betrokkenen, signals, plan, presence) must show the new
value without a reload; a part that can no longer be fetched says the page is out of date.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from tests.e2e.conftest import log_in
from toegang.demo import DEMO_PASSWORD
from toegang.models import User

pytestmark = pytest.mark.browser


def _session(browser, base_url, username, path):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, username, DEMO_PASSWORD)
    page.goto(f"{base_url}{path}")
    page.wait_for_selector(".live-status[data-state='connected']", state="attached")
    return page


def test_every_part_of_the_open_casus_page_follows_changes_from_other_sessions(
    browser, demo, relay_running
):
    from casussen.models import Casus
    from casussen.plan.models import Plan
    from casussen.plan.services.doelen import doel_add
    from casussen.services.betrokkenen import betrokkene_add
    from signalen.services import signaal_receive

    casus = (
        Casus.objects.filter(aanspreekpunt__username="consulent")
        .order_by("huishouden__created_at")
        .first()
    )
    sanne = User.objects.get(username="consulent")
    pad = f"/casussen/{casus.pk}/"
    eerste = _session(browser, demo, "consulent", pad)
    expect(eerste.locator("#plan-fragment")).not_to_be_empty()

    # Presence: a colleague (betrokkene) opens the same casus.
    _session(browser, demo, "consulent2", pad)
    expect(eerste.locator("[data-live-presence]")).to_have_text(re.compile("Mehmet Yilmaz"))

    # Status and timeline: the consultant herself, in a second session, changes the status.
    tweede = _session(browser, demo, "consulent", pad)
    tweede.get_by_label("Nieuwe status").select_option("monitoring")
    tweede.get_by_role("button", name="Status opslaan").click()
    expect(eerste.locator("#casus-stand")).to_contain_text("Monitoring")
    expect(eerste.locator("#tijdlijn-sectie li").first).to_contain_text("Monitoring")
    # The form on the first page moved along: saving from it is no conflict.
    expect(eerste.get_by_label("Nieuwe status")).to_have_value("monitoring")

    # Betrokkenen: another consultant is given access.
    betrokkene_add(
        casus=Casus.objects.get(pk=casus.pk),
        user=User.objects.get(username="consulent3"),
        reden="Jeugdhulp",
        eind_datum=timezone.localdate() + timedelta(days=30),
        by=sanne,
    )
    expect(eerste.locator("#betrokkenen-sectie")).to_contain_text("Anouk Bakker")

    # Plan: a new goal.
    doel_add(
        plan=Plan.objects.filter(huishouden_id=casus.huishouden_id).latest("created_at"),
        casus=Casus.objects.get(pk=casus.pk),
        by=sanne,
        tekst="Ik wil elke week een keer naar de moestuin.",
        dimensies=["meedoen"],
        gezinsleden=[casus.huishouden.gezinsleden.first().pk],
    )
    expect(eerste.locator("#plan-fragment")).to_contain_text("naar de moestuin")

    # Signals: a GP reports about a member with the household's BSN.
    lid = casus.huishouden.gezinsleden.first()
    signaal = signaal_receive(
        melder=User.objects.get(username="huisarts"),
        data={
            "toestemming": "met_toestemming",
            "inwoner": {"achternaam": lid.achternaam, "bsn": lid.bsn},
            "leefgebieden": ["gezondheid"],
            "omschrijving": "Slaapt slecht sinds de verhuizing.",
        },
    )
    expect(eerste.locator(f"#signaal-{signaal.pk}")).to_contain_text("Slaapt slecht")


def test_a_part_that_can_no_longer_be_fetched_says_the_page_is_out_of_date(
    browser, demo, relay_running
):
    """Her access ends (handed over); the next re-fetch is refused: one plain notice, one button."""
    from casussen.models import Casus
    from casussen.services.casus import casus_overdragen

    casus = (
        Casus.objects.filter(aanspreekpunt__username="consulent")
        .exclude(status=Casus.Status.AFGESLOTEN)  # the demo also has closed casussen
        .order_by("huishouden__created_at")
        .first()
    )
    eerste = _session(browser, demo, "consulent", f"/casussen/{casus.pk}/")
    casus_overdragen(
        casus=casus,
        naar=User.objects.get(username="consulent4"),
        notitie="",
        by=User.objects.get(username="teamleider"),
    )
    # What live.js does on an event of this casus: re-fetch the page's parts.
    eerste.evaluate("htmx.trigger(document.querySelector('[hx-select-oob]'), 'live-refresh', {})")
    verouderd = eerste.locator("#live-verouderd")
    expect(verouderd).to_contain_text("niet meer actueel")
    expect(verouderd.get_by_role("button", name="Pagina verversen")).to_have_count(1)
