"""Revocation reaches open websockets: user and token changes close them (4401).

Each case opens a real websocket over the ASGI app on the configured channel layer
(in-memory by default, Redis with ``REDIS_URL``; ``make test`` and CI run both),
changes the user or token the way the admin or a service does, and expects the
socket to be closed with 4401. The re-checks of the consumer itself are tested
with changes that bypass the model hooks (``QuerySet.update``).
"""

from __future__ import annotations

import pytest

from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from tests.toegang.events.helpers import (
    PROEF,
    connect,
    connect_with_session,
    receive_events,
    session_cookie_for,
)
from tests.toegang.factories import TeamFactory
from toegang.models import ApiToken, User
from toegang.realtime import CLOSE_REVOKED
from toegang.realtime.messages import fanout_message
from toegang.roles import Rol
from toegang.services import api_token_create, api_token_revoke, api_token_rotate, user_set_rol

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

make = database_sync_to_async


async def _closed_with(client: WebsocketCommunicator) -> int | None:
    """The close code of the next frame that closes the socket (events before it are skipped)."""
    while True:
        output = await client.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output.get("code")


async def _token(user):
    return await make(api_token_create)(user=user)


def _domain_event(event_id: int) -> dict:
    return {
        "type": "domain.event",
        "event_type": "proef.gewijzigd",
        "aggregate_type": PROEF,
        "aggregate_id": "p1",
        "version": 1,
        "event_id": event_id,
    }


async def test_deactivating_the_user_closes_their_sockets(fresh_channel_layer, make_user):
    user = await make(make_user)(Rol.CONSULENT)
    first, second = await connect(user), await connect(user)

    def deactivate():
        user.is_active = False
        user.save()

    await make(deactivate)()
    assert await _closed_with(first) == CLOSE_REVOKED
    assert await _closed_with(second) == CLOSE_REVOKED


async def test_deleting_the_user_closes_their_sockets(fresh_channel_layer, make_user):
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect(user)
    await make(user.delete)()
    assert await _closed_with(client) == CLOSE_REVOKED


async def test_a_role_change_closes_the_sockets(fresh_channel_layer, make_user):
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect(user)
    await make(user_set_rol)(user=user, rol=Rol.BELEIDSADVISEUR)
    assert await _closed_with(client) == CLOSE_REVOKED


async def test_a_team_change_closes_the_sockets(fresh_channel_layer, make_user, gemeente):
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect(user)

    def move():
        user.team = TeamFactory(organisatie=gemeente)
        user.save(update_fields=["team"])

    await make(move)()
    assert await _closed_with(client) == CLOSE_REVOKED


async def test_a_login_does_not_close_the_sockets(fresh_channel_layer, make_user):
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect(user)

    def login_elsewhere():
        user.last_login = timezone.now()
        user.first_name = "Anders"
        user.save()

    await make(login_elsewhere)()
    await fresh_channel_layer.group_send(f"user.{user.pk}", _domain_event(7))
    assert [e["event_id"] for e in await receive_events(client, 1)] == [7]


async def test_revoking_a_token_closes_only_the_sockets_opened_with_it(
    fresh_channel_layer, make_user
):
    user = await make(make_user)(Rol.CONSULENT)
    revoked, kept = await _token(user), await _token(user)
    on_revoked = await connect(token=revoked.plaintext)
    on_kept = await connect(token=kept.plaintext)

    await make(api_token_revoke)(token=revoked.token)

    assert await _closed_with(on_revoked) == CLOSE_REVOKED
    await fresh_channel_layer.group_send(f"user.{user.pk}", _domain_event(8))
    assert [e["event_id"] for e in await receive_events(on_kept, 1)] == [8]


async def test_rotating_a_token_closes_the_sockets_of_the_old_one(fresh_channel_layer, make_user):
    user = await make(make_user)(Rol.MELDER)
    issued = await _token(user)
    client = await connect(token=issued.plaintext)

    rotated = await make(api_token_rotate)(token=issued.token)

    assert await _closed_with(client) == CLOSE_REVOKED
    assert await connect(token=rotated.plaintext)  # the new token connects


async def test_deleting_a_token_closes_its_sockets(fresh_channel_layer, make_user):
    user = await make(make_user)(Rol.CONSULENT)
    issued = await _token(user)
    client = await connect(token=issued.plaintext)
    await make(issued.token.delete)()
    assert await _closed_with(client) == CLOSE_REVOKED


async def test_a_revoked_token_gets_no_event_even_without_the_close_message(
    fresh_channel_layer, make_user
):
    """The consumer re-checks before it passes an event on (a lost close message)."""
    user = await make(make_user)(Rol.CONSULENT)
    issued = await _token(user)
    client = await connect(token=issued.plaintext)

    await make(ApiToken.objects.filter(pk=issued.token.pk).update)(revoked_at=timezone.now())
    await fresh_channel_layer.group_send(f"user.{user.pk}", _domain_event(9))

    output = await client.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": CLOSE_REVOKED}


async def test_a_deactivated_user_gets_no_event_even_without_the_close_message(
    fresh_channel_layer, make_user
):
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect(user)

    await make(User.objects.filter(pk=user.pk).update)(is_active=False)
    await fresh_channel_layer.group_send(f"user.{user.pk}", _domain_event(10))

    assert await client.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_REVOKED,
    }


async def test_an_idle_socket_is_closed_by_the_periodic_recheck(
    fresh_channel_layer, make_user, settings
):
    settings.LIVE_RECHECK_SECONDS = 0.05
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect(user)
    await make(User.objects.filter(pk=user.pk).update)(rol=Rol.MELDER)
    assert await _closed_with(client) == CLOSE_REVOKED


async def test_a_socket_of_a_session_that_ended_is_closed(fresh_channel_layer, make_user, settings):
    from django.contrib.sessions.models import Session

    settings.LIVE_RECHECK_SECONDS = 0.05
    user = await make(make_user)(Rol.CONSULENT)
    cookie = await make(session_cookie_for)(user)
    client = await connect_with_session(cookie)

    # Gone without a signal (as with a cache session that expired): the re-check finds it.
    rows = Session.objects.filter(session_key=cookie)
    await make(rows._raw_delete)(rows.db)

    assert await _closed_with(client) == CLOSE_REVOKED


async def test_logging_out_closes_the_sockets_of_that_session_only(fresh_channel_layer, make_user):
    """No waiting for the periodic re-check: the session's own group is closed."""

    user = await make(make_user)(Rol.CONSULENT)
    ended = await make(session_cookie_for)(user)
    other = await make(session_cookie_for)(user)
    on_ended = await connect_with_session(ended)
    on_other = await connect_with_session(other)

    def log_out() -> None:
        browser = Client()
        browser.cookies["sessionid"] = ended
        browser.post("/uitloggen/")

    await make(log_out)()

    assert await _closed_with(on_ended) == CLOSE_REVOKED
    await fresh_channel_layer.group_send(f"user.{user.pk}", _domain_event(11))
    assert [e["event_id"] for e in await receive_events(on_other, 1)] == [11]


def _fanout(event_id: int, *users) -> dict:
    """What the relay sends in ``fanout`` delivery: one message for every process's hub."""
    return fanout_message([(_domain_event(event_id), [u.pk for u in users])])


async def test_a_fanout_batch_skips_and_closes_only_the_sockets_that_lost_their_rights(
    fresh_channel_layer, make_user
):
    """The hub checks a batch's sockets together; a lost close message still closes them."""
    from django.contrib.sessions.models import Session

    from toegang.realtime.hub import FANOUT_GROUP

    kept, deactivated, revoked, logged_out = [await make(make_user)(Rol.CONSULENT) for _ in "abcd"]
    on_kept = await connect(kept)
    on_deactivated = await connect(deactivated)
    issued = await _token(revoked)
    on_revoked = await connect(token=issued.plaintext)
    cookie = await make(session_cookie_for)(logged_out)
    on_logged_out = await connect_with_session(cookie)
    on_kept_session = await connect_with_session(await make(session_cookie_for)(kept))

    # Behind the model hooks' back: only the hub's own check can notice.
    await make(User.objects.filter(pk=deactivated.pk).update)(is_active=False)
    await make(ApiToken.objects.filter(pk=issued.token.pk).update)(revoked_at=timezone.now())
    rows = Session.objects.filter(session_key=cookie)
    await make(rows._raw_delete)(rows.db)
    for event_id in (21, 22):
        await fresh_channel_layer.group_send(
            FANOUT_GROUP, _fanout(event_id, kept, deactivated, revoked, logged_out)
        )

    for closed in (on_deactivated, on_revoked, on_logged_out):
        assert await client_output_close(closed) == CLOSE_REVOKED
    for open_socket in (on_kept, on_kept_session):
        assert [e["event_id"] for e in await receive_events(open_socket, 2)] == [21, 22]


async def client_output_close(client: WebsocketCommunicator) -> int | None:
    """The first output must be the close (no event slipped out before it)."""
    output = await client.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return output.get("code")
