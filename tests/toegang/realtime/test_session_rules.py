"""Websocket sessions follow the same rules as pages (toegang/identity/sessions.py)."""

from __future__ import annotations

import pytest

from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from tests.auth import verified_login
from toegang.identity import sessions
from toegang.roles import Rol


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_websocket_refuses_a_session_ended_everywhere_or_without_second_factor(
    fresh_channel_layer, make_user
):
    from toegang.asgi import application

    user = await database_sync_to_async(make_user)(Rol.CONSULENT)

    def cookie(verified: bool) -> str:
        browser = Client()
        if verified:
            verified_login(browser, user)
        else:
            browser.force_login(user)
        return browser.cookies["sessionid"].value

    async def connects(value: str) -> bool:
        ws = WebsocketCommunicator(
            application, "/ws/", headers=[(b"cookie", f"sessionid={value}".encode())]
        )
        connected, _ = await ws.connect()
        await ws.disconnect()
        return connected

    verified = await database_sync_to_async(cookie)(True)
    assert await connects(verified)
    assert not await connects(await database_sync_to_async(cookie)(False))
    await database_sync_to_async(sessions.sessions_end_all)(user=user)
    assert not await connects(verified)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_logging_out_everywhere_closes_the_users_open_websocket(
    fresh_channel_layer, make_user
):
    from toegang.asgi import application
    from toegang.realtime import CLOSE_REVOKED

    user = await database_sync_to_async(make_user)(Rol.CONSULENT)

    def cookie() -> str:
        browser = Client()
        verified_login(browser, user)
        return browser.cookies["sessionid"].value

    value = await database_sync_to_async(cookie)()
    ws = WebsocketCommunicator(
        application, "/ws/", headers=[(b"cookie", f"sessionid={value}".encode())]
    )
    assert (await ws.connect())[0]
    assert (await ws.receive_json_from(timeout=5))["type"] == "live.hello"
    await database_sync_to_async(sessions.sessions_end_all)(user=user)
    while True:
        output = await ws.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
    assert output.get("code") == CLOSE_REVOKED
    await ws.disconnect()
