"""Redis down under open websockets: close 4503, not 1006; the first reconnect after works."""

from __future__ import annotations

import asyncio

import pytest

from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator

from tests.toegang.events.helpers import _open_clients, connect, emit_committed, receive_events
from toegang.events.relay import Relay
from toegang.realtime.consumers import CLOSE_UNAVAILABLE
from toegang.roles import Rol

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_layer_settings(settings, redis_server):
    """The channel layer, as configured for production, on this test's own Redis."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "toegang.realtime.layer.BoundedRedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis_server.url, **settings.REDIS_LAYER_HOST_OPTIONS}],
                "expiry": 30,
            },
        }
    }
    return redis_server


@pytest.fixture
def redis(own_layer_settings, fresh_channel_layer):
    return own_layer_settings


async def _closed_with(client: WebsocketCommunicator) -> int:
    """Read until the server closes the socket; its close code."""
    while True:
        output = await client.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            return int(output.get("code", 1000))


async def _relay_all() -> int:
    def run() -> int:
        relay = Relay()
        try:
            total = 0
            while done := relay.run_once():
                total += done
            return total
        finally:
            relay.close()

    return await database_sync_to_async(run)()


async def test_open_websockets_close_with_4503_when_redis_goes(redis, make_user, proef_access):
    user = await database_sync_to_async(make_user)(Rol.CONSULENT)
    client = await connect(user)
    redis.stop()
    assert await _closed_with(client) == CLOSE_UNAVAILABLE


async def test_a_connect_during_the_outage_is_closed_with_4503(redis, make_user, proef_access):
    from toegang.asgi import application
    from toegang.services import api_token_create

    user = await database_sync_to_async(make_user)(Rol.CONSULENT)
    token = await database_sync_to_async(lambda: api_token_create(user=user).plaintext)()
    redis.stop()
    client = WebsocketCommunicator(
        application, "/ws/", headers=[(b"authorization", f"Bearer {token}".encode())]
    )
    _open_clients.append(client)
    connected, _ = await client.connect(timeout=10)
    assert connected  # accepted only to say why it closes: no HTTP 500, no 1006
    assert await _closed_with(client) == CLOSE_UNAVAILABLE


async def test_the_first_reconnect_after_redis_returns_works_and_gets_events(
    redis, make_user, proef_access
):
    user = await database_sync_to_async(make_user)(Rol.CONSULENT)
    proef_access.grant("p1", user)
    before = await connect(user)
    redis.stop()
    assert await _closed_with(before) == CLOSE_UNAVAILABLE
    # Meanwhile an event is committed; the relay cannot deliver it and keeps it.
    event = await database_sync_to_async(emit_committed)(aggregate_id="p1")
    assert await _relay_all() == 0
    redis.start()
    after = await connect(user)  # the first try: the pool's dead connections are replaced
    assert await _relay_all() == 1
    assert [m["event_id"] for m in await receive_events(after, 1)] == [event.pk]
    await asyncio.sleep(0)
