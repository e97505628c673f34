from __future__ import annotations

import json

import pytest

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from tests.auth import verified_login
from toegang.models import ApiToken
from toegang.roles import Rol
from toegang.services import api_token_create, api_token_revoke, api_token_rotate, token_digest

PROBLEM = "application/problem+json"


class EchoView(APIView):
    def post(self, request):
        return Response({"keys": sorted(request.data)})


urlpatterns = [path("api/v1/echo", EchoView.as_view())]


def _problem(response):
    assert response["Content-Type"] == PROBLEM
    return json.loads(response.content)


def test_unknown_api_path_is_problem_json_404(client, db):
    body = _problem(client.get("/api/v1/bestaat-niet"))
    assert body["status"] == 404
    assert body["title"] == "Niet gevonden"
    assert "bestaat-niet" not in json.dumps(body)


def test_anonymous_api_call_is_problem_json_401(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert _problem(response)["title"] == "Niet ingelogd"


def test_wrong_method_is_problem_json_405(client, consulent):
    verified_login(client, consulent)
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert _problem(response)["title"] == "Methode niet toegestaan"


@pytest.mark.urls(__name__)
def test_malformed_json_is_problem_json_400(client, consulent):
    verified_login(client, consulent)
    response = client.post("/api/v1/echo", data="{niet: json", content_type="application/json")
    assert response.status_code == 400
    body = _problem(response)
    assert body["detail"] == "De JSON in het verzoek is ongeldig."


def test_token_is_stored_only_as_digest_and_authenticates(client, make_user):
    user = make_user(Rol.MELDER)
    issued = api_token_create(user=user)
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert stored.digest == token_digest(issued.plaintext)
    assert issued.plaintext not in {stored.digest, stored.prefix, stored.naam}
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_revoked_and_rotated_tokens_stop_working(client, make_user):
    user = make_user(Rol.MELDER)
    first = api_token_create(user=user)
    second = api_token_rotate(token=first.token)
    old = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {first.plaintext}")
    assert old.status_code == 401
    assert _problem(old)["detail"] != ""
    assert (
        client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {second.plaintext}").status_code == 200
    )
    api_token_revoke(token=second.token)
    assert (
        client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {second.plaintext}").status_code == 401
    )


def test_create_api_token_command_prints_a_working_token(client, make_user):
    from io import StringIO

    from django.core.management import call_command

    user = make_user(Rol.MELDER)
    out = StringIO()
    call_command("create_api_token", user.username, stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("bt_")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_openapi_schema_and_docs_are_served(client, consulent):
    verified_login(client, consulent)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = json.loads(schema.content)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/me" in document["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.mark.parametrize("rol", [Rol.CONSULENT, Rol.MELDER])
def test_me_is_what_the_me_serializer_makes(make_user, rol):
    from toegang.api.views import MeSerializer, me_body

    for user in (make_user(rol), make_user(rol, organisatie=None, is_api_client=True)):
        organisatie = user.organisatie
        data = MeSerializer(
            {
                "username": user.get_username(),
                "rol": user.rol,
                "organisatie": organisatie.naam if organisatie else None,
                "is_api_client": user.is_api_client,
            }
        ).data
        assert me_body(user) == data
    assert data["organisatie"] is None and data["is_api_client"] is True
