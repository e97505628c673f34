from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from django.utils import timezone

from audit.models import Actie, AuditRecord, Doel
from audit.services import record
from audit.subjects import register_resident_lookup
from tests.audit.conftest import ACHTERNAAM, BSN
from tests.audit.helpers import assert_audited
from toegang.roles import Rol

URL = "/audit/"


def _shown_ids(response) -> list[int]:
    page = response.context["page"]
    return [row["id"] for row in page.rows]


@pytest.mark.parametrize("rol", [r for r in Rol.values if r != Rol.PRIVACY_OFFICER])
@pytest.mark.parametrize("url", [URL, "/audit/beoordelen/", "/audit/inzageverzoek/"])
def test_other_roles_get_403(make_user, login, rol, url):
    client = login(make_user(rol))
    assert client.get(url).status_code == 403
    assert client.post(url, {"gebruiker": "x"}).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


def test_opening_the_console_is_audited(privacy_officer, login):
    with assert_audited(
        actie=Actie.READ, doel=Doel.AUDIT, object_type="audit_console", user=privacy_officer
    ):
        response = login(privacy_officer).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="nl"' in body or "<main" in body
    assert '<label for="id_bsn">' in body


def test_search_by_user_action_and_period(privacy_officer, login, make_user, make_records):
    sanne = make_user(Rol.CONSULENT, username="sanne")
    mine = make_records(3, actor=sanne)
    make_records(2, actor=sanne, actie=Actie.UPDATE)
    make_records(2, actor=make_user(Rol.CONSULENT, username="piet"))
    client = login(privacy_officer)
    response = client.post(URL, {"gebruiker": "sanne", "actie": Actie.READ})
    assert sorted(_shown_ids(response)) == sorted(r.pk for r in mine)
    today = timezone.localdate()
    response = client.post(URL, {"gebruiker": "sanne", "van": today + timedelta(days=1)})
    assert _shown_ids(response) == []
    response = client.post(URL, {"gebruiker": "sanne", "van": today, "tot": today})
    assert len(_shown_ids(response)) == 5


def test_search_by_object_finds_direct_and_list_accesses(privacy_officer, login, make_records):
    casus = uuid.uuid4()
    direct = make_records(1, object_id=casus)[0]
    listed = record(
        actor=None,
        actie=Actie.READ,
        doel=Doel.CASUSBEHANDELING,
        object_type="casuslijst",
        object_ids=[uuid.uuid4(), casus],
    )
    make_records(3)
    response = login(privacy_officer).post(URL, {"object_id": str(casus)})
    assert sorted(_shown_ids(response)) == sorted([direct.pk, listed.pk])


def test_resident_search_shows_exactly_their_accesses(
    privacy_officer, login, resident, make_records
):
    huishouden_id, persoon_id = resident
    theirs = make_records(2, huishouden_id=huishouden_id)
    theirs += make_records(1, persoon_ids=[uuid.uuid4(), persoon_id])
    make_records(3, huishouden_id=uuid.uuid4(), persoon_ids=[uuid.uuid4()])
    client = login(privacy_officer)
    with assert_audited(
        actie=Actie.READ, doel=Doel.AUDIT, object_type="auditregel", persoon_ids=[persoon_id]
    ) as audit:
        response = client.post(URL, {"bsn": BSN})
    assert sorted(_shown_ids(response)) == sorted(r.pk for r in theirs)
    assert sorted(audit[0].object_ids) == sorted(str(r.pk) for r in theirs)
    by_name = client.post(URL, {"achternaam": ACHTERNAAM, "geboortedatum": "1980-02-03"})
    # The first search is itself an access to their audit data now.
    assert set(_shown_ids(by_name)) == {r.pk for r in theirs} | {audit[0].pk}


def test_unknown_resident_shows_nothing(privacy_officer, login, resident, make_records):
    make_records(3, huishouden_id=resident[0])
    response = login(privacy_officer).post(URL, {"bsn": "123456782"})
    assert _shown_ids(response) == []
    assert "Geen inwoner gevonden" in response.content.decode()


def test_invalid_bsn_is_refused(privacy_officer, login, resident):
    response = login(privacy_officer).post(URL, {"bsn": "123456789"})
    assert "elfproef" in response.content.decode()
    assert "page" not in response.context


def test_without_a_registered_lookup_the_officer_is_told(privacy_officer, login):
    previous = register_resident_lookup(None)
    try:
        response = login(privacy_officer).post(URL, {"bsn": BSN})
    finally:
        register_resident_lookup(previous)
    assert "nog niet beschikbaar" in response.content.decode()


def test_keyset_pages_newest_first(privacy_officer, login, make_user, make_records):
    records = make_records(120, actor=make_user(Rol.CONSULENT, username="bulk"))
    client = login(privacy_officer)
    first = client.post(URL, {"gebruiker": "bulk"})
    page = first.context["page"]
    assert _shown_ids(first) == [r.pk for r in reversed(records)][:50]
    second = client.post(URL, {"gebruiker": "bulk", "na": page.next_cursor})
    third = client.post(URL, {"gebruiker": "bulk", "na": second.context["page"].next_cursor})
    assert _shown_ids(second) == [r.pk for r in reversed(records)][50:100]
    assert len(_shown_ids(third)) == 20 and third.context["page"].next_cursor is None


def test_no_audit_record_contains_the_bsn_or_name_searched(privacy_officer, login, resident):
    client = login(privacy_officer)
    client.post(URL, {"bsn": BSN})
    client.post(URL, {"achternaam": ACHTERNAAM, "geboortedatum": "1980-02-03"})
    client.post("/audit/inzageverzoek/", {"bsn": BSN, "formaat": "csv"})
    rows = AuditRecord.objects.values_list()
    text = " ".join(str(value) for row in rows for value in row)
    assert AuditRecord.objects.count() >= 3
    assert BSN not in text and ACHTERNAAM not in text and "1980" not in text
