"""The cost of an open socket: one re-check round for all of a process's idle sockets,
few queries to connect, and a browser that left is no Redis outage."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
import structlog

from channels.db import database_sync_to_async
from django.db.backends import utils as db_utils
from django.utils import timezone

from tests.toegang.events.helpers import connect
from toegang.models import ApiToken
from toegang.realtime import CLOSE_REVOKED, recheck, validity
from toegang.realtime.consumers import LiveConsumer
from toegang.roles import Rol
from toegang.services import api_token_create

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

make = database_sync_to_async
SOCKETS = 8


async def test_the_idle_sockets_of_a_process_are_rechecked_together(
    fresh_channel_layer, make_user, settings, monkeypatch
):
    settings.LIVE_RECHECK_SECONDS = 0.5
    checked: list[int] = []

    def counting(credentials: Any, **kwargs: Any) -> dict[Any, float]:
        credentials = list(credentials)
        checked.append(len(credentials))
        return validity.seconds_left_among(credentials, **kwargs)

    monkeypatch.setattr(recheck, "_seconds_left_among", make(counting))
    users = [await make(make_user)(Rol.CONSULENT) for _ in range(SOCKETS)]
    clients = [await connect(user) for user in users]
    revoked = await make(api_token_create)(user=users[0])
    on_revoked = await connect(token=revoked.plaintext)
    await make(ApiToken.objects.filter(pk=revoked.token.pk).update)(revoked_at=timezone.now())

    output = await on_revoked.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": CLOSE_REVOKED}
    await asyncio.sleep(1.2)
    assert max(checked) >= SOCKETS  # every open socket in one round (one query per kind)
    assert len(checked) < sum(checked) / 2  # instead of one check per socket per interval
    for client in clients:
        assert await client.receive_nothing(timeout=0.05)


def _count_queries(monkeypatch) -> list[str]:
    """Every SQL statement run in any thread (the consumer's run in the database thread)."""
    seen: list[str] = []
    lock = threading.Lock()
    original = db_utils.CursorWrapper._execute

    def execute(self, sql, params, *ignored_wrapper_args):
        with lock:
            seen.append(sql)
        return original(self, sql, params, *ignored_wrapper_args)

    monkeypatch.setattr(db_utils.CursorWrapper, "_execute", execute)
    return seen


async def test_a_token_websocket_connects_in_few_queries(
    fresh_channel_layer, make_user, monkeypatch
):
    user = await make(make_user)(Rol.CONSULENT)
    token = (await make(api_token_create)(user=user)).plaintext
    queries = _count_queries(monkeypatch)
    await connect(token=token)
    # The token with its user, its first use noted, the latest event id: nothing else.
    assert len(queries) <= 3, queries
    queries.clear()
    await connect(token=token)
    assert len(queries) <= 2, queries  # the token; the latest id is shared for a second


async def test_a_browser_that_left_is_not_logged_as_a_lost_channel_layer():
    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        raise ConnectionResetError("the client went away")  # as uvicorn's ClientDisconnected

    from django.contrib.auth.models import AnonymousUser

    scope = {"type": "websocket", "path": "/ws/", "headers": [], "user": AnonymousUser()}
    with structlog.testing.capture_logs() as logs:
        await LiveConsumer.as_asgi()(scope, receive, send)
    events = {entry["event"] for entry in logs}
    assert "live_client_gone" in events
    assert "live_layer_lost" not in events
