"""Origin checks: browsers from another site are refused, integrations without Origin pass."""

from __future__ import annotations

import pytest

from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing.websocket import WebsocketCommunicator
from django.test import override_settings

from toegang.realtime.auth import AllowedHostsOriginValidator, TokenOrSessionAuthMiddleware
from toegang.realtime.routing import websocket_urlpatterns
from toegang.roles import Rol
from toegang.services import api_token_create

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _app():
    with override_settings(ALLOWED_HOSTS=["toegang.example"], DEBUG=False):
        return AllowedHostsOriginValidator(
            TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))
        )


async def _connect(headers):
    client = WebsocketCommunicator(_app(), "/ws/", headers=headers)
    connected, _ = await client.connect()
    if connected:
        await client.disconnect()
    return connected


async def test_origin_is_checked_when_sent_and_optional_for_integrations(
    fresh_channel_layer, make_user
):
    user = await database_sync_to_async(make_user)(Rol.CONSULENT)
    token = (await database_sync_to_async(api_token_create)(user=user)).plaintext
    auth = (b"authorization", f"Bearer {token}".encode())
    assert await _connect([auth]) is True
    assert await _connect([auth, (b"origin", b"https://toegang.example")]) is True
    assert await _connect([auth, (b"origin", b"https://evil.example")]) is False
    assert await _connect([(b"origin", b"https://toegang.example")]) is False  # anonymous
