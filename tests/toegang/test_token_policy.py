"""API tokens under the one login policy: on the API and on the websocket, a wrong
token is audited and counts for the client address; spraying tokens from one address
locks it for users who never used it, not for those who did."""

from __future__ import annotations

import pytest

from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.core.cache import cache

from audit.models import Actie, AuditRecord
from tests.toegang.events.helpers import fresh_channel_layer  # noqa: F401  (fixture)
from toegang.roles import Rol
from toegang.services import api_token_create

ADDRESS = "192.0.2.30"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _get(client, token: str, address: str = ADDRESS):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address)


def _spray(client, settings, address: str = ADDRESS) -> None:
    for n in range(settings.LOGIN_IP_FAILURE_LIMIT):
        assert _get(client, f"bt_geraden{n:04d}{'x' * 30}", address).status_code == 401


def test_a_wrong_token_on_the_api_is_refused_and_audited(client, db):
    response = _get(client, "bt_" + "x" * 40)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    failure = AuditRecord.objects.get(actie=Actie.LOGIN_FAILURE)
    assert failure.reden == "api: ongeldig of ingetrokken token"
    assert failure.ip_adres == ADDRESS


def test_spraying_tokens_locks_the_address_for_users_new_there(client, make_user, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    vaste = api_token_create(user=make_user(Rol.MELDER)).plaintext
    assert _get(client, vaste).status_code == 200  # this partner used the address before
    nieuwe = api_token_create(user=make_user(Rol.MELDER)).plaintext
    _spray(client, settings)

    refused = _get(client, nieuwe)
    assert refused.status_code == 401
    assert refused["Content-Type"].startswith("application/problem+json")
    assert AuditRecord.objects.filter(reden="api: geblokkeerd na te veel pogingen").count() == 1
    assert _get(client, vaste).status_code == 200
    assert _get(client, nieuwe, address="192.0.2.31").status_code == 200  # other address


def _ws(token: str, address: str = ADDRESS) -> WebsocketCommunicator:
    from toegang.asgi import application

    ws = WebsocketCommunicator(
        application, "/ws/", headers=[(b"authorization", f"Bearer {token}".encode())]
    )
    ws.scope["client"] = (address, 50000)
    return ws


async def _connects(token: str, address: str = ADDRESS) -> bool:
    ws = _ws(token, address)
    connected, _ = await ws.connect()
    await ws.disconnect()
    return connected


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_channel_layer")
async def test_the_websocket_applies_the_same_token_policy(make_user, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    make = database_sync_to_async
    nieuwe = (await make(api_token_create)(user=await make(make_user)(Rol.CONSULENT))).plaintext

    for n in range(3):
        assert not await _connects(f"bt_geraden{n:04d}{'x' * 30}")
    assert not await _connects(nieuwe)
    assert await _connects(nieuwe, address="192.0.2.31")
    redenen = await make(
        lambda: list(
            AuditRecord.objects.filter(actie=Actie.LOGIN_FAILURE).values_list("reden", flat=True)
        )
    )()
    assert redenen.count("websocket: ongeldig of ingetrokken token") == 3
    assert redenen.count("websocket: geblokkeerd na te veel pogingen") == 1
