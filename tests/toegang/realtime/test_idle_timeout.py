"""The idle timeout reaches open websockets, and only the user's own requests count
as activity (docs/security.md, "Sessions").

Real websockets over the ASGI app on the configured channel layer (in-memory, or
Redis with ``REDIS_URL``). The session is made to have a few seconds left by moving
its ``last_seen`` back, instead of waiting fifteen minutes.
"""

from __future__ import annotations

import time
from importlib import import_module

import pytest

from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from audit.models import AuditRecord
from tests.toegang.events.helpers import connect_with_session, session_cookie_for
from toegang.identity import sessions
from toegang.realtime import CLOSE_REVOKED
from toegang.roles import Rol

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

make = database_sync_to_async


#: Seconds the session has left when the test connects (headroom for a slow machine).
SECONDS_LEFT = 3


def _idle_until_almost_timed_out(cookie: str) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore(cookie)
    store[sessions.LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + SECONDS_LEFT
    store.save()


def _last_seen(cookie: str) -> int:
    return import_module(settings.SESSION_ENGINE).SessionStore(cookie)[sessions.LAST_SEEN]


def _request(cookie: str, *, live_refresh: bool) -> int:
    browser = Client()
    browser.cookies["sessionid"] = cookie
    headers = {"X-Live-Refresh": "1"} if live_refresh else {}
    return browser.get("/account/", headers=headers).status_code


@pytest.fixture
def almost_idle(make_user, settings):
    """A consulent's verified session a few seconds before its idle timeout."""
    settings.LIVE_RECHECK_SECONDS = 300  # the deadline re-check, not the periodic one
    user = make_user(Rol.CONSULENT)
    cookie = session_cookie_for(user)
    _idle_until_almost_timed_out(cookie)
    return user, cookie


async def _close_code(ws) -> int | None:
    while True:
        output = await ws.receive_output(timeout=SECONDS_LEFT + 10)
        if output["type"] == "websocket.close":
            return output.get("code")


async def test_an_idle_session_closes_its_open_websocket_at_the_timeout(
    fresh_channel_layer, almost_idle
):
    user, cookie = almost_idle
    ws = await connect_with_session(cookie)
    assert await _close_code(ws) == CLOSE_REVOKED
    # the page's next request ends the session too, audited with the reason
    assert await make(_request)(cookie, live_refresh=False) == 302
    assert await make(
        AuditRecord.objects.filter(
            user_id=user.pk, reden="sessie verlopen wegens inactiviteit"
        ).exists
    )()


async def test_live_refreshes_do_not_keep_an_open_page_alive(fresh_channel_layer, almost_idle):
    _, cookie = almost_idle
    before = await make(_last_seen)(cookie)
    ws = await connect_with_session(cookie)
    assert await make(_request)(cookie, live_refresh=True) == 200
    assert await make(_last_seen)(cookie) == before
    ws_messages = {"action": "ack", "event_ids": [1]}
    await ws.send_json_to(ws_messages)  # websocket traffic is no activity either
    assert await _close_code(ws) == CLOSE_REVOKED


async def test_a_request_of_the_user_keeps_the_session_and_its_websocket(
    fresh_channel_layer, almost_idle
):
    _, cookie = almost_idle
    ws = await connect_with_session(cookie)
    assert await make(_request)(cookie, live_refresh=False) == 200
    assert await make(_last_seen)(cookie) > int(time.time()) - 5
    # past the old deadline the socket re-checks, finds the session used, stays open
    assert await ws.receive_nothing(timeout=SECONDS_LEFT + 1, interval=0.1)
    await ws.send_json_to({"action": "catch_up", "after": 0})
    assert (await ws.receive_json_from(timeout=5))["type"] == "live.caught_up"
