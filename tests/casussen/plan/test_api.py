"""The plan API: read plan and versions, write goals and actions, record metingen."""

from __future__ import annotations

import pytest

from django.utils import timezone

from audit.models import Actie as AuditActie
from audit.models import AuditRecord
from casussen.plan import services
from casussen.plan.models import Actie, Doel, Meting
from tests.casussen.plan.conftest import scores
from toegang.roles import Rol

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def api(casus, path: str = "") -> str:
    return f"/api/v1/casussen/{casus.pk}{path}"


def test_read_the_plan_with_goals_and_actions(login, consulent, casus, plan, doel, make_actie):
    make_actie(doel, trede=2, omschrijving="Naar het Financieel Café")
    response = login(consulent).get(api(casus, "/plan"))
    assert response.status_code == 200
    body = response.json()
    assert body["versie"] == 1 and body["status"] == "concept"
    assert body["doelen"][0]["tekst"] == "Ik wil weer rust in mijn hoofd over geld"
    assert body["doelen"][0]["acties"][0]["trede"] == 2
    assert AuditRecord.objects.filter(actie=AuditActie.READ, object_type="plan").exists()


def test_create_goal_and_action_then_vaststellen_and_read_the_version(
    login, consulent, casus, plan, lid
):
    client = login(consulent)
    doel = client.post(
        api(casus, "/plan/doelen"),
        {
            "tekst": "Weer meedoen in de buurt",
            "dimensies": ["meedoen"],
            "gezinsleden": [str(lid.pk)],
        },
        content_type="application/json",
    )
    assert doel.status_code == 201, doel.content
    doel_id = doel.json()["id"]
    actie = client.post(
        api(casus, f"/plan/doelen/{doel_id}/acties"),
        {
            "omschrijving": "Koffie drinken in het inloophuis",
            "eigenaar_soort": "inwoner",
            "deadline": "2026-02-01",
            "trede": 1,
        },
        content_type="application/json",
    )
    assert actie.status_code == 201, actie.content
    vast = client.post(
        api(casus, "/plan/vaststellen"),
        {"datum": timezone.localdate().isoformat(), "aanwezig": ["Anna", "Sanne"], "versie": 1},
        content_type="application/json",
    )
    assert vast.status_code == 201, vast.content
    versies = client.get(api(casus, "/plan/versies")).json()
    assert [v["nummer"] for v in versies] == [1]
    versie = client.get(api(casus, "/plan/versies/1")).json()
    assert versie["aanwezig"] == ["Anna", "Sanne"]
    assert versie["inhoud"]["doelen"][0]["tekst"] == "Weer meedoen in de buurt"
    assert {w["onderdeel"] for w in versie["wijzigingen"]} == {"doel", "actie"}


def test_editing_an_old_version_is_a_409_problem(login, consulent, casus, plan, doel):
    services.plan_vaststellen(
        plan=plan, casus=casus, by=consulent, datum=timezone.localdate(), aanwezig=["Anna"]
    )
    services.doel_update(doel=doel, casus=casus, by=consulent, tekst="Nieuw")
    response = login(consulent).patch(
        api(casus, f"/plan/doelen/{doel.pk}"),
        {"tekst": "Oud", "versie": 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert "Versie 1 van het plan is vastgesteld" in response.json()["detail"]
    doel.refresh_from_db()
    assert doel.tekst == "Nieuw"


def test_bad_input_is_a_400_problem_with_dutch_reasons(login, consulent, casus, plan, doel):
    client = login(consulent)
    response = client.post(
        api(casus, f"/plan/doelen/{doel.pk}/acties"),
        {"omschrijving": "Iets", "deadline": "2025-01-01", "trede": 3},
        content_type="application/json",
    )
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    reasons = {p["name"]: p["reason"] for p in response.json()["invalid-params"]}
    assert reasons["deadline"].startswith("De datum ligt vóór de start van het plan")
    assert reasons["eigenaar_soort"].startswith("Kies wie de actie uitvoert")
    nudge = client.post(
        api(casus, f"/plan/doelen/{doel.pk}/acties"),
        {
            "omschrijving": "Indicatie",
            "eigenaar_soort": "gemeente",
            "deadline": "2026-03-01",
            "trede": 3,
        },
        content_type="application/json",
    )
    assert nudge.status_code == 400
    assert nudge.json()["invalid-params"][0]["name"] == "reden_zwaar"
    assert not Actie.objects.exists()


@pytest.mark.parametrize("value", [11, -1, 6.5, "7", True, None])
def test_bad_scores_are_refused(login, consulent, casus, value):
    response = login(consulent).post(
        api(casus, "/metingen"),
        {
            "soort": "uitvraag",
            "datum": timezone.localdate().isoformat(),
            "scores": scores(zingeving=value),
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    names = [p["name"] for p in response.json()["invalid-params"]]
    assert names == ["scores.zingeving"]
    assert not Meting.objects.exists()


def test_record_and_list_metingen(login, consulent, casus, lid):
    client = login(consulent)
    created = client.post(
        api(casus, "/metingen"),
        {
            "soort": "uitvraag",
            "datum": "2026-01-12",
            "gezinslid_id": str(lid.pk),
            "scores": scores(),
            "toelichtingen": {"meedoen": "Ik ben veel alleen"},
            "notities": {"eenzaamheid": "Weinig contact"},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    listed = client.get(api(casus, "/metingen")).json()
    assert listed[0]["scores"] == scores()
    assert "toelichtingen" not in listed[0]  # words are read on the page of the meting only


def test_betrokkene_rights_through_the_api(login, casus, doel, make_actie, make_betrokkene):
    lezer = make_betrokkene(schrijfrecht=False)
    schrijver = make_betrokkene(schrijfrecht=True)
    eigen = make_actie(doel, trede=1, eigenaar_soort="netwerk", eigenaar=schrijver)
    ander = make_actie(doel, trede=1)
    body = {"status": "klaar"}
    denied = login(lezer).patch(
        api(casus, f"/plan/acties/{eigen.pk}"), body, content_type="application/json"
    )
    assert denied.status_code == 403 and denied["Content-Type"] == PROBLEM
    client = login(schrijver)
    assert (
        client.patch(
            api(casus, f"/plan/acties/{eigen.pk}"), body, content_type="application/json"
        ).status_code
        == 200
    )
    other = client.patch(
        api(casus, f"/plan/acties/{ander.pk}"), body, content_type="application/json"
    )
    assert other.status_code == 403
    assert "eigenaar" in other.json()["detail"]
    statuses = dict(Actie.objects.values_list("pk", "status"))
    assert statuses == {eigen.pk: "klaar", ander.pk: "open"}


def test_no_access_is_404_for_every_endpoint(make_user, login, casus, plan, doel, make_actie):
    actie = make_actie(doel, trede=1)
    client = login(make_user(Rol.CONSULENT))
    for method, path in [
        ("get", "/plan"),
        ("get", "/plan/versies"),
        ("get", "/plan/versies/1"),
        ("get", "/metingen"),
        ("post", "/metingen"),
        ("post", "/plan/doelen"),
        ("patch", f"/plan/doelen/{doel.pk}"),
        ("patch", f"/plan/acties/{actie.pk}"),
        ("post", "/plan/vaststellen"),
    ]:
        response = getattr(client, method)(api(casus, path), {}, content_type="application/json")
        assert response.status_code == 404, (method, path)
        assert response["Content-Type"] == PROBLEM
    assert Doel.objects.count() == 1


def test_a_second_plan_is_a_409(login, consulent, casus, plan):
    response = login(consulent).post(
        api(casus, "/plan"), {"startdatum": "2026-01-01"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "één plan per huishouden" in response.json()["detail"]


def test_the_schema_lists_the_plan_endpoints(login, consulent):
    schema = login(consulent).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/casussen/{casus_id}/plan",
        "/api/v1/casussen/{casus_id}/plan/versies",
        "/api/v1/casussen/{casus_id}/plan/doelen/{doel_id}/acties",
        "/api/v1/casussen/{casus_id}/metingen",
    ]:
        assert path in paths


def test_an_unknown_field_is_a_400_problem_and_nothing_is_created(login, consulent, casus, plan):
    before = Doel.objects.count()
    response = login(consulent).post(
        api(casus, "/plan/doelen"),
        {"tekst": "Weer meedoen in de buurt", "dimensies": ["meedoen"], "prioriteit": "hoog"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["invalid-params"] == [{"name": "prioriteit", "reason": "Onbekend veld."}]
    assert Doel.objects.count() == before
