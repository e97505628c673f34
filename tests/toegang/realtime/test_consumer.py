"""The real consumer over the real ASGI app and the configured channel layer."""

from __future__ import annotations

import asyncio

import pytest

from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone

from tests.toegang.events.helpers import (
    PROEF,
    connect,
    connect_with_session,
    emit_committed,
    receive_events,
    relay_until_idle,
    session_cookie_for,
)
from tests.toegang.events.layers import redis_down_layer
from toegang.events.models import OutboxEvent
from toegang.roles import Rol

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

make = database_sync_to_async


@pytest.fixture
def layer(fresh_channel_layer):
    return fresh_channel_layer


def _proef_event(event_id: int) -> dict:
    """A relayed domain event for the test aggregate, as the hub hands it to a socket."""
    return {
        "type": "domain.event",
        "event_type": "proef.gewijzigd",
        "aggregate_type": PROEF,
        "aggregate_id": "p1",
        "version": 1,
        "event_id": event_id,
    }


async def _relay(**kwargs) -> int:
    return await make(relay_until_idle)(**kwargs)


async def _emit(**kwargs):
    return await make(emit_committed)(**kwargs)


async def test_anonymous_websocket_is_rejected(layer):
    from toegang.asgi import application

    client = WebsocketCommunicator(application, "/ws/")
    connected, code = await client.connect()
    assert (connected, code) == (False, 4401)


async def test_a_wrong_or_revoked_token_is_rejected(layer, make_user):
    from toegang.asgi import application

    client = WebsocketCommunicator(
        application, "/ws/", headers=[(b"authorization", b"Bearer bt_niet-geldig")]
    )
    assert (await client.connect())[0] is False


async def test_token_auth_connects_and_joins_the_user_group(layer, make_user):
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect(user)
    await layer.group_send(
        f"user.{user.pk}",
        _proef_event(99),
    )
    assert await client.receive_json_from(timeout=5) == {
        "type": "proef.gewijzigd",
        "aggregate_type": PROEF,
        "id": "p1",
        "version": 1,
        "event_id": 99,
    }
    await client.disconnect()


async def test_session_auth_connects(layer, make_user):
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect_with_session(await make(session_cookie_for)(user))
    await client.disconnect()


async def test_a_token_counts_over_a_session_cookie_sent_with_it(layer, make_user):
    """A token socket skips the session layer: the token's user, whoever's cookie came along."""
    from tests.toegang.events.helpers import _connected
    from toegang.asgi import application
    from toegang.services import api_token_create

    by_session = await make(make_user)(Rol.CONSULENT)
    by_token = await make(make_user)(Rol.CONSULENT)
    cookie = await make(session_cookie_for)(by_session)
    token = (await make(api_token_create)(user=by_token)).plaintext
    headers = [
        (b"cookie", f"sessionid={cookie}".encode()),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    client = await _connected(WebsocketCommunicator(application, "/ws/", headers=headers))
    for user in (by_session, by_token):
        await layer.group_send(
            f"user.{user.pk}",
            _proef_event(user.pk),
        )
    assert [m["event_id"] for m in await receive_events(client, 1)] == [by_token.pk]
    assert await client.receive_nothing(timeout=0.5)
    await client.disconnect()


async def test_a_user_deactivated_since_login_is_rejected(layer, make_user):
    from toegang.asgi import application
    from toegang.services import api_token_create

    user = await make(make_user)(Rol.CONSULENT)
    token = (await make(api_token_create)(user=user)).plaintext

    def deactivate():
        user.is_active = False
        user.save(update_fields=["is_active"])

    await make(deactivate)()
    client = WebsocketCommunicator(
        application, "/ws/", headers=[(b"authorization", f"Bearer {token}".encode())]
    )
    assert (await client.connect())[0] is False


@pytest.mark.parametrize("delivery", ["fanout", "groups"])
async def test_relay_delivers_to_the_right_sockets_only(
    layer, make_user, proef_access, settings, delivery
):
    settings.EVENTS = {"delivery": delivery}
    mag = await make(make_user)(Rol.CONSULENT)
    niet = await make(make_user)(Rol.CONSULENT)
    proef_access.grant("p1", mag)
    client_mag, client_niet = await connect(mag), await connect(niet)
    event = await _emit(aggregate_id="p1", version=4)
    assert await _relay() == 1
    assert await client_mag.receive_json_from(timeout=5) == {
        "type": "proef.gewijzigd",
        "aggregate_type": PROEF,
        "id": "p1",
        "version": 4,
        "event_id": event.pk,
    }
    assert await client_niet.receive_nothing(timeout=0.3)
    await client_mag.disconnect()
    await client_niet.disconnect()


async def test_redis_down_then_back_delivers_everything_once(layer, make_user, proef_access):
    user = await make(make_user)(Rol.CONSULENT)
    collega = await make(make_user)(Rol.CONSULENT)
    proef_access.grant("p1", user, collega)
    client = await connect(user)
    emitted = [await _emit(aggregate_id="p1", version=v) for v in (1, 2, 3)]
    # The layer is unreachable: the rows go back unattempted, nothing got through ...
    assert await _relay(layer=redis_down_layer(), send_timeout=2.0) == 0
    assert await client.receive_nothing(timeout=0.3)
    statuses = await make(lambda: list(OutboxEvent.objects.values_list("status", flat=True)))()
    assert statuses == ["pending"] * 3  # ... and nothing was lost

    # Half-way failure: the first event reached the user, then "Redis" fell over.
    await layer.group_send(f"user.{user.pk}", _message(emitted[0]))
    assert (await receive_events(client, 1))[0]["event_id"] == emitted[0].pk
    await make(lambda: OutboxEvent.objects.update(next_attempt_at=timezone.now()))()
    assert await _relay() == 3
    received = await receive_events(client, 2)
    assert [m["event_id"] for m in received] == [e.pk for e in emitted[1:]]
    assert await client.receive_nothing(timeout=0.3)  # the retried first one was dropped
    await client.disconnect()


def _message(event: OutboxEvent) -> dict:
    from toegang.realtime.messages import domain_message

    return domain_message(event)


async def test_catch_up_replays_what_the_user_missed_and_may_see(layer, make_user, proef_access):
    user = await make(make_user)(Rol.CONSULENT)
    ander = await make(make_user)(Rol.CONSULENT)
    proef_access.grant("mijn", user)
    proef_access.grant("ander", ander)
    seen = await _emit(aggregate_id="mijn", version=1)
    await _relay()
    missed = [
        await _emit(aggregate_id="mijn", version=2),
        await _emit(aggregate_id="ander", version=1),
        await _emit(aggregate_id="mijn", version=3),
    ]
    await _relay()  # while the user was offline

    client = await connect(user)
    await client.send_json_to({"action": "catch_up", "after": seen.pk})
    got = await receive_events(client, 2)
    assert [m["event_id"] for m in got] == [missed[0].pk, missed[2].pk]
    done = await client.receive_json_from(timeout=5)
    assert done == {"type": "live.caught_up", "event_id": missed[2].pk}
    await client.disconnect()


async def test_catch_up_finds_an_event_that_committed_late_with_a_lower_id(
    layer, make_user, proef_access
):
    user = await make(make_user)(Rol.CONSULENT)
    proef_access.grant("a", user)
    proef_access.grant("b", user)
    late = await _emit(aggregate_id="a")
    early = await _emit(aggregate_id="b")
    # ``late`` is held back (as if its transaction were still open); ``early`` goes out.
    await make(
        lambda: OutboxEvent.objects.filter(pk=late.pk).update(
            next_attempt_at=timezone.now() + timezone.timedelta(hours=1)
        )
    )()
    client = await connect(user)
    await _relay()
    assert (await receive_events(client, 1))[0]["event_id"] == early.pk
    await client.disconnect()  # the user's cursor is now early.pk > late.pk

    await make(
        lambda: OutboxEvent.objects.filter(pk=late.pk).update(next_attempt_at=timezone.now())
    )()
    await _relay()
    again = await connect(user)
    await again.send_json_to({"action": "catch_up", "after": early.pk})
    assert (await receive_events(again, 1))[0]["event_id"] == late.pk
    await again.disconnect()


async def test_catch_up_rechecks_access_now(layer, make_user, proef_access):
    user = await make(make_user)(Rol.CONSULENT)
    proef_access.grant("p1", user)
    start = await _emit(aggregate_id="p0")
    await _relay()
    await _emit(aggregate_id="p1")
    await _relay()
    proef_access.revoke("p1", user)
    client = await connect(user)
    await client.send_json_to({"action": "catch_up", "after": start.pk})
    assert (await client.receive_json_from(timeout=5))["type"] == "live.caught_up"
    await client.disconnect()


async def test_acked_and_duplicate_ids_are_not_sent_twice(layer, make_user):
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect(user)
    message = _proef_event(5)
    await layer.group_send(f"user.{user.pk}", message)
    await layer.group_send(f"user.{user.pk}", message)
    await client.send_json_to({"action": "ack", "event_ids": [6]})
    await asyncio.sleep(0.05)
    await layer.group_send(f"user.{user.pk}", {**message, "event_id": 6})
    assert [m["event_id"] for m in await receive_events(client, 1)] == [5]
    assert await client.receive_nothing(timeout=0.3)
    await client.disconnect()


async def test_bad_messages_get_an_error_not_a_crash(layer, make_user):
    client = await connect(await make(make_user)(Rol.CONSULENT))
    await client.send_to(text_data="geen json")
    assert await client.receive_json_from(timeout=5) == {"type": "live.error", "code": "bad_json"}
    await client.send_to(text_data="[" * 5000 + "]" * 5000)  # no RecursionError
    assert await client.receive_json_from(timeout=5) == {"type": "live.error", "code": "bad_json"}
    await client.send_json_to({"action": "catch_up", "after": "gisteren"})
    assert (await client.receive_json_from(timeout=5))["code"] == "bad_cursor"
    await client.send_json_to({"action": "watch", "aggregate_type": "casus", "id": "../x"})
    assert (await client.receive_json_from(timeout=5))["code"] == "bad_target"
    await client.disconnect()
