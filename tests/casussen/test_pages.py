"""The casus pages: lists, the case page, status conflict, overdracht, betrokkenen, noodtoegang."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.utils import timezone
from django.utils.html import escape

from audit.models import Actie, AuditRecord
from casussen.models import Casus, Noodtoegang
from casussen.services.casus import casus_set_status
from casussen.services.intake import intake_persoon

pytestmark = pytest.mark.django_db


def test_mijn_casussen_lists_names_and_audits_the_ids(login, make_casus, consulent, collega):
    mine = make_casus(consulent, leefgebieden=["wonen"])
    other = make_casus(collega)
    html = login(consulent).get("/casussen/").content.decode()
    assert escape(mine.huishouden.gezinsleden.get().achternaam) in html
    assert mine.referentie in html and other.referentie not in html
    record = AuditRecord.objects.filter(actie=Actie.READ, user_id=consulent.pk).latest("pk")
    assert record.object_ids == [str(mine.pk)]


def test_mijn_casussen_filter_via_htmx_returns_the_table_only(login, make_casus, consulent):
    make_casus(consulent, leefgebieden=["wonen"])
    response = login(consulent).get("/casussen/?leefgebied=financien", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "nog geen casussen" in html


def test_mijn_casussen_query_count_is_flat(
    login, make_casus, consulent, django_assert_max_num_queries
):
    client = login(consulent)
    make_casus(consulent)
    with django_assert_max_num_queries(20) as few:
        client.get("/casussen/")
    for _ in range(5):
        make_casus(consulent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/casussen/")


def test_case_page_shows_household_and_records_the_read(login, casus, consulent):
    response = login(consulent).get(f"/casussen/{casus.pk}/")
    assert response.status_code == 200
    lid = casus.huishouden.gezinsleden.get()
    assert escape(lid.achternaam) in response.content.decode()
    record = AuditRecord.objects.filter(actie=Actie.READ, object_id=str(casus.pk)).latest("pk")
    assert record.persoon_ids == [str(lid.pk)]


def test_case_page_after_shredding_says_gegevens_vernietigd(login, casus, consulent):
    from casussen.services.huishouden import huishouden_shred

    huishouden_shred(huishouden=casus.huishouden, by=None)
    html = login(consulent).get(f"/casussen/{casus.pk}/").content.decode()
    assert "vernietigd" in html


def test_foreign_case_page_is_404(login, make_casus, consulent, collega):
    foreign = make_casus(collega)
    assert login(consulent).get(f"/casussen/{foreign.pk}/").status_code == 404


def test_status_conflict_shows_a_dutch_message_and_keeps_the_other_change(login, casus, consulent):
    casus_set_status(casus=casus, status=Casus.Status.IN_BEHANDELING, version=1, by=consulent)
    response = login(consulent).post(
        f"/casussen/{casus.pk}/status/", {"status": "monitoring", "version": 1}
    )
    assert response.status_code == 409
    assert "Iemand anders heeft deze casus intussen gewijzigd" in response.content.decode()
    casus.refresh_from_db()
    assert casus.status == Casus.Status.IN_BEHANDELING


def test_status_change_on_the_page(login, casus, consulent):
    response = login(consulent).post(
        f"/casussen/{casus.pk}/status/", {"status": "in_behandeling", "version": 1}
    )
    assert response.status_code == 302
    casus.refresh_from_db()
    assert casus.status == Casus.Status.IN_BEHANDELING


def test_overdracht_on_the_page(login, casus, consulent, collega):
    client = login(consulent)
    assert client.get(f"/casussen/{casus.pk}/overdracht/").status_code == 200
    response = client.post(
        f"/casussen/{casus.pk}/overdracht/", {"naar": collega.pk, "notitie": "Verlof"}
    )
    assert response.status_code == 302
    casus.refresh_from_db()
    assert casus.aanspreekpunt == collega
    assert client.get(f"/casussen/{casus.pk}/").status_code == 404


def test_teamleider_hands_over_from_the_caseload(login, casus, teamleider, collega):
    client = login(teamleider)
    assert client.get(f"/casussen/{casus.pk}/").status_code == 403
    response = client.post(f"/casussen/{casus.pk}/overdracht/", {"naar": collega.pk})
    assert response.status_code == 302
    casus.refresh_from_db()
    assert casus.aanspreekpunt == collega


def test_betrokkene_add_with_bad_date_shows_the_message(login, casus, consulent, collega):
    client = login(consulent)
    response = client.post(
        f"/casussen/{casus.pk}/betrokkenen/",
        {
            "user": collega.pk,
            "reden": "Schulden",
            "eind_datum": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "verleden" in response.content.decode()
    assert not casus.betrokkenen.exists()


def test_betrokkene_add_and_revoke_on_the_page(login, casus, consulent, collega):
    client = login(consulent)
    eind = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        f"/casussen/{casus.pk}/betrokkenen/",
        {"user": collega.pk, "reden": "Schulden", "eind_datum": eind},
    )
    assert response.status_code == 302
    betrokkene = casus.betrokkenen.get()
    client.post(f"/casussen/{casus.pk}/betrokkenen/{betrokkene.pk}/intrekken/")
    betrokkene.refresh_from_db()
    assert not betrokkene.is_actief


def test_noodtoegang_page_asks_a_reason_and_marks_the_case(login, casus, collega):
    client = login(collega)
    assert client.get(f"/casussen/{casus.pk}/").status_code == 404
    form = client.get(f"/casussen/{casus.pk}/noodtoegang/")
    assert form.status_code == 200 and "Reden voor noodtoegang" in form.content.decode()
    empty = client.post(f"/casussen/{casus.pk}/noodtoegang/", {"reden": ""})
    assert empty.status_code == 200 and not Noodtoegang.objects.exists()
    started = client.post(f"/casussen/{casus.pk}/noodtoegang/", {"reden": "Acute zorg"})
    assert started.status_code == 302
    page = client.get(f"/casussen/{casus.pk}/")
    assert "U bekijkt deze casus met noodtoegang" in page.content.decode()
    record = AuditRecord.objects.filter(actie=Actie.READ, object_id=str(casus.pk)).latest("pk")
    assert record.noodtoegang is True


def test_caseload_counts_open_casussen_per_consulent(login, make_casus, teamleider, consulent):
    make_casus(consulent)
    make_casus(consulent, urgent=True)
    html = login(teamleider).get("/casussen/caseload/").content.decode()
    from django.utils.html import escape

    name = escape(consulent.weergavenaam)
    assert f"{name}</a></th><td>2</td><td>1</td>" in html


def test_anonymous_household_shows_as_such(login, team, teamleider, consulent):
    from casussen.services.casus import casus_open

    huishouden = intake_persoon(persoon=None, by=None).huishouden
    casus = casus_open(huishouden=huishouden, aanspreekpunt=consulent, team=team, by=teamleider)
    html = login(consulent).get(f"/casussen/{casus.pk}/").content.decode()
    assert "Anoniem huishouden" in html


def test_caseload_lists_references_for_handover(login, casus, teamleider, consulent):
    html = login(teamleider).get(f"/casussen/caseload/?consulent={consulent.pk}").content.decode()
    assert casus.referentie in html
    assert f"/casussen/{casus.pk}/overdracht/" in html
    assert escape(casus.huishouden.gezinsleden.get().achternaam) not in html
