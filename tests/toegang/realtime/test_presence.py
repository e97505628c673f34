"""Presence ("also looking at this casus") and revocation of a live feed."""

from __future__ import annotations

import pytest

from channels.db import database_sync_to_async
from django.db import transaction

from tests.toegang.events.helpers import PROEF, connect, emit_committed
from toegang import realtime
from toegang.events.relay import Relay
from toegang.roles import Rol

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

make = database_sync_to_async


async def _next(client, kind: str) -> dict:
    while True:
        message = await client.receive_json_from(timeout=5)
        if message["type"] == kind:
            return message


async def _watch(client, aggregate_id: str) -> None:
    await client.send_json_to({"action": "watch", "aggregate_type": PROEF, "id": aggregate_id})


async def test_colleagues_with_the_same_object_open_see_each_other(
    fresh_channel_layer, make_user, proef_access
):
    anna = await make(make_user)(Rol.CONSULENT, first_name="Anna", last_name="Bos")
    bram = await make(make_user)(Rol.CONSULENT, first_name="Bram", last_name="Kok")
    proef_access.grant("c1", anna, bram)
    client_anna, client_bram = await connect(anna), await connect(bram)

    await _watch(client_anna, "c1")
    assert (await _next(client_anna, "presence"))["users"] == []
    await _watch(client_bram, "c1")
    assert (await _next(client_anna, "presence")) == {
        "type": "presence",
        "aggregate_type": PROEF,
        "id": "c1",
        "users": [{"id": bram.pk, "naam": "Bram Kok"}],
    }
    users_for_bram = []
    while not users_for_bram:
        users_for_bram = (await _next(client_bram, "presence"))["users"]
    assert users_for_bram == [{"id": anna.pk, "naam": "Anna Bos"}]

    await client_bram.disconnect()
    assert (await _next(client_anna, "presence"))["users"] == []
    await client_anna.disconnect()


async def test_watching_needs_the_access_check(fresh_channel_layer, make_user, proef_access):
    anna = await make(make_user)(Rol.CONSULENT)
    buiten = await make(make_user)(Rol.CONSULENT)
    proef_access.grant("c1", anna)
    client_anna, client_buiten = await connect(anna), await connect(buiten)
    await _watch(client_anna, "c1")
    await _next(client_anna, "presence")

    await _watch(client_buiten, "c1")
    assert await client_buiten.receive_json_from(timeout=5) == {
        "type": "live.watch_denied",
        "aggregate_type": PROEF,
        "id": "c1",
    }
    # Unknown objects get the very same answer.
    await _watch(client_buiten, "bestaat-niet")
    assert (await client_buiten.receive_json_from(timeout=5))["type"] == "live.watch_denied"
    assert await client_anna.receive_nothing(timeout=0.3)  # nobody joined
    await client_anna.disconnect()
    await client_buiten.disconnect()


async def test_revoking_access_closes_the_live_feed_for_that_object(
    fresh_channel_layer, make_user, proef_access
):
    anna = await make(make_user)(Rol.CONSULENT)
    bram = await make(make_user)(Rol.CONSULENT)
    proef_access.grant("c1", anna, bram)
    client_anna, client_bram = await connect(anna), await connect(bram)
    await _watch(client_anna, "c1")
    await _next(client_anna, "presence")
    await _watch(client_bram, "c1")
    await _next(client_bram, "presence")
    assert (await _next(client_anna, "presence"))["users"]

    def handover() -> None:  # what a service does when access ends
        with transaction.atomic():
            proef_access.revoke("c1", bram)
            realtime.revoke(bram.pk, PROEF, "c1")

    await make(handover)()
    assert await _next(client_bram, "live.revoked") == {
        "type": "live.revoked",
        "aggregate_type": PROEF,
        "id": "c1",
    }
    assert (await _next(client_anna, "presence"))["users"] == []

    # Events about the object now reach Anna only.
    event = await make(emit_committed)(aggregate_id="c1", version=2)

    def relay() -> int:
        r = Relay()
        try:
            return r.run_once()
        finally:
            r.close()

    assert await make(relay)() == 1
    assert (await _next(client_anna, "proef.gewijzigd"))["event_id"] == event.pk
    assert await client_bram.receive_nothing(timeout=0.3)
    await client_anna.disconnect()
    await client_bram.disconnect()


async def test_disconnect_user_closes_every_socket(fresh_channel_layer, make_user):
    user = await make(make_user)(Rol.CONSULENT)
    client = await connect(user)
    await make(realtime.disconnect_user)(user.pk)
    assert (await client.receive_output(timeout=5))["type"] == "websocket.close"
