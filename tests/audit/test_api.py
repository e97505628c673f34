from __future__ import annotations

import uuid

import pytest

from audit.models import Actie, Doel
from tests.audit.conftest import BSN
from tests.audit.helpers import assert_audited
from toegang.roles import Rol

URL = "/api/v1/audit"


@pytest.mark.parametrize("rol", [r for r in Rol.values if r != Rol.PRIVACY_OFFICER])
def test_other_roles_get_403_problem_json(make_user, login, rol):
    response = login(make_user(rol)).get(URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 403


def test_anonymous_is_refused(client):
    response = client.get(URL)
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"


def test_filters_and_cursor_pages(privacy_officer, login, make_user, make_records):
    sanne = make_user(Rol.CONSULENT, username="sanne")
    records = make_records(7, actor=sanne)
    make_records(3)
    client = login(privacy_officer)
    with assert_audited(
        actie=Actie.READ, doel=Doel.AUDIT, object_type="auditregel", user=privacy_officer
    ):
        first = client.get(URL, {"gebruiker": "sanne", "page_size": 5}).json()
    assert [r["id"] for r in first["results"]] == [r.pk for r in reversed(records)][:5]
    assert "case" not in first["results"][0] and "reden" not in first["results"][0]
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [records[1].pk, records[0].pk]
    assert second["next"] is None
    by_user = client.get(URL, {"user_id": sanne.pk, "actie": "read"}).json()
    assert len(by_user["results"]) == 7


def test_bad_filters_are_422_or_400_problems(privacy_officer, login):
    client = login(privacy_officer)
    response = client.get(URL, {"actie": "gluren", "cursor": "!!"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_resident_search_by_post(privacy_officer, login, resident, make_records):
    theirs = make_records(2, huishouden_id=resident[0])
    make_records(2, huishouden_id=uuid.uuid4())
    response = login(privacy_officer).post(
        URL + "/zoeken", {"bsn": BSN}, content_type="application/json"
    )
    assert response.status_code == 200
    assert sorted(r["id"] for r in response.json()["results"]) == sorted(r.pk for r in theirs)


def test_in_openapi_schema(privacy_officer, login):
    schema = login(privacy_officer).get("/api/v1/schema/").content.decode()
    assert "/api/v1/audit:" in schema and "audit_list" in schema and "cursor" in schema
