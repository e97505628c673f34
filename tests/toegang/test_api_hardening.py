"""API input hardening: strict serializers, JSON limits, validated query parameters, and
every error answer documented as problem+json in the OpenAPI schema."""

from __future__ import annotations

import importlib
import inspect
import json

import pytest

from django.test import Client
from rest_framework import serializers
from rest_framework.test import APIClient

from toegang import jsonlimits
from toegang.api.serializers import StrictFieldsMixin
from toegang.roles import Rol
from toegang.services import api_token_create

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
API_SERIALIZER_MODULES = [
    "casussen.api.serializers",
    "casussen.api.plan_serializers",
    "signalen.api.serializers",
    "audit.api.serializers",
    "toegang.api.views",
]


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.fixture
def api(make_user):
    def client_for(rol: str = Rol.CONSULENT) -> APIClient:
        client = APIClient()
        token = api_token_create(user=make_user(rol)).plaintext
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return client_for


def _api_serializers() -> list[type]:
    found = []
    for name in API_SERIALIZER_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, serializers.BaseSerializer) and cls.__module__ == name:
                found.append(cls)
    return found


@pytest.mark.parametrize("serializer", _api_serializers(), ids=lambda c: c.__name__)
def test_every_api_serializer_refuses_unknown_fields(serializer):
    assert issubclass(serializer, StrictFieldsMixin)


def test_depth_is_measured_without_recursion_and_strings_do_not_count():
    assert jsonlimits.depth(_nested(100_000)) == 100_000
    assert jsonlimits.depth('{"a": "[[[[[[", "b": [{"c": "\\"]]"}]}') == 3
    with pytest.raises(jsonlimits.TooDeepError):
        jsonlimits.loads(_nested(65))
    assert jsonlimits.loads(_nested(64)) == json.loads(_nested(64))


@pytest.mark.parametrize("levels", [65, 1000, 100_000])
def test_deeply_nested_json_is_a_400_problem(api, levels):
    response = api(Rol.MELDER).post(
        "/api/v1/signalen", _nested(levels), content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert "genest" in response.json()["detail"]


def test_deeply_nested_json_is_a_400_with_production_settings_too(api, settings):
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = api(Rol.CONSULENT)
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/casussen/00000000-0000-0000-0000-000000000000/noodtoegang",
        _nested(1000),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


def test_a_body_over_the_limit_is_a_413_problem(api, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"omschrijving": "x" * 2000})
    response = api(Rol.MELDER).post("/api/v1/signalen", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM


def test_invalid_json_is_a_400_problem(api):
    response = api(Rol.MELDER).post("/api/v1/signalen", "{nee", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    "query",
    ["urgent=-166", "sort=naam", "status=weg", "leefgebied=onbekend", "cursor=" + "x" * 300],
)
def test_invalid_query_parameters_are_a_400_problem(api, query):
    response = api(Rol.CONSULENT).get(f"/api/v1/casussen?{query}")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    name = query.split("=")[0]
    assert [p["name"] for p in response.json()["invalid-params"]] == [name]


def test_valid_query_parameters_still_work(api):
    response = api(Rol.CONSULENT).get("/api/v1/casussen?urgent=true&sort=urgent&status=alle")
    assert response.status_code == 200
    assert response.json()["results"] == []


def _schema() -> dict:
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_every_operation_documents_its_errors_as_problem_json():
    schema = _schema()
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 10
    for path, method, operation in operations:
        responses = operation["responses"]
        for code in ("401", "403", "404", "429"):
            assert code in responses, (method, path, code)
        if method != "get":
            assert "412" in responses, (method, path)
        for code, response in responses.items():
            if code.startswith("4"):
                assert list(response["content"]) == [PROBLEM], (method, path, code)
