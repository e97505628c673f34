"""The beleidsadviseur's monitor: page with charts and filters, CSV, PDF and API; only for them."""

from __future__ import annotations

import csv
import io

import pytest

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from monitor import demo, projection
from monitor.figures import Kwartaal
from toegang.roles import Rol
from toegang.services import api_token_create

Q = str(Kwartaal.van(timezone.localdate()))


def api_client_for(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, naam='bi').plaintext}")
    return api


@pytest.fixture
def geschiedenis(db):
    demo.load()


def test_the_page_shows_buurten_charts_filters_and_suppression(geschiedenis, login, beleid):
    html = login(beleid).get(reverse("monitor:index")).content.decode()
    assert "Signalen per buurt" in html and "Dorpskern" in html
    assert html.count('role="img"') >= 10 and "<title" in html and "<desc" in html
    assert 'for="f-kwartaal"' in html and 'for="f-gebied"' in html and 'for="f-leefgebied"' in html
    assert "&lt; 5" in html
    assert "<script" not in html.split("</main>")[0].split("<main")[-1]  # no inline script


def test_a_wijk_filter_shows_only_that_wijk_and_its_buurten(geschiedenis, login, beleid):
    html = (
        login(beleid)
        .get(reverse("monitor:index"), {"gebied": "WK027303", "kwartaal": Q})
        .content.decode()
    )
    tabel = html.split("Signalen per buurt</caption>")[1].split("</table>")[0]
    assert "Huinen" in tabel and "Dorpskern" not in tabel


def test_unknown_filter_values_fall_back_with_a_dutch_message(login, beleid):
    response = login(beleid).get(reverse("monitor:index"), {"kwartaal": "gisteren", "gebied": "X"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Onbekende wijk of buurt" in html
    assert (
        "Dit kwartaal bestaat niet. Kies een kwartaal zoals" in html and f"kwartaal, {Q}." in html
    )


@pytest.mark.parametrize("naam", ["monitor:csv", "monitor:pdf"])
def test_a_report_of_an_unknown_quarter_is_not_made(naam, login, beleid):
    """Not the current quarter's report under another name: the page with the message."""
    response = login(beleid).get(reverse(naam), {"kwartaal": "onzin"})
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert "Dit kwartaal bestaat niet" in response.content.decode()


def test_the_old_address_of_the_monitor_leads_to_it(login, beleid, make_user):
    response = login(beleid).get("/casussen/monitor/?kwartaal=2026-K3")
    assert response.status_code == 301
    assert response["Location"] == reverse("monitor:index") + "?kwartaal=2026-K3"
    assert login(make_user(Rol.CONSULENT)).get("/casussen/monitor/").status_code == 403


def test_the_api_takes_the_quarter_as_query_parameter_too(beleid):
    api = api_client_for(beleid)
    url = reverse("api:monitor_kwartaal_query")
    assert api.get(url).json()["kwartaal"] == Q
    assert api.get(url, {"kwartaal": "2026-K2"}).json()["kwartaal"] == "2026-K2"
    bad = api.get(url, {"kwartaal": "onzin"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    assert bad.json()["invalid-params"][0]["name"] == "kwartaal"


def test_csv_and_pdf_of_the_quarter(geschiedenis, login, beleid):
    client = login(beleid)
    response = client.get(reverse("monitor:csv"), {"kwartaal": Q})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert rows[0] == ["kwartaal", "tabel", "code", "omschrijving", "waarde"]
    assert any(r[1] == "signalen" and r[2] == "totaal" for r in rows[1:])
    pdf = client.get(reverse("monitor:pdf"), {"kwartaal": Q})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("rol", [Rol.CONSULENT, Rol.TEAMLEIDER, Rol.PRIVACY_OFFICER, Rol.BEHEERDER])
def test_only_the_beleidsadviseur_sees_the_monitor(rol, login, make_user):
    client = login(make_user(rol))
    for name in ("monitor:index", "monitor:csv", "monitor:pdf"):
        assert client.get(reverse(name)).status_code in (403, 404)


def test_the_api_gives_the_same_cells_for_the_beleidsadviseur_only(geschiedenis, beleid, make_user):
    url = reverse("api:monitor_kwartaal", kwargs={"kwartaal": Q})
    body = api_client_for(beleid).get(url).json()
    assert body["kwartaal"] == Q and body["drempel"] == 5
    signalen = next(t for t in body["tabellen"] if t["naam"] == "signalen")
    assert any(r["waarde"] is None for t in body["tabellen"] for r in t["rijen"])
    assert {r["niveau"] for r in signalen["rijen"]} == {"wijk", "buurt", "totaal"}
    assert api_client_for(make_user(Rol.CONSULENT)).get(url).status_code == 403
    bad = api_client_for(beleid).get(
        reverse("api:monitor_kwartaal", kwargs={"kwartaal": "2026-K9"})
    )
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")


def test_the_demo_history_is_loaded_once(geschiedenis):
    from monitor.models import Gebeurtenis

    count = Gebeurtenis.objects.count()
    demo.load()
    projection.rebuild()
    assert Gebeurtenis.objects.count() == count > 100
