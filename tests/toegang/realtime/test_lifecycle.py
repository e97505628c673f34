"""A connection's background work ends with it: on disconnect and on cancellation."""

from __future__ import annotations

import asyncio

import pytest

from channels.db import database_sync_to_async

from tests.toegang.events.helpers import PROEF, connect
from toegang.realtime.hub import hub
from toegang.roles import Rol

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

make = database_sync_to_async


def _running_tasks() -> list[str]:
    """Names of the tasks on this loop besides the test's own."""
    current = asyncio.current_task()
    return sorted(t.get_name() for t in asyncio.all_tasks() if t is not current and not t.done())


async def _watching_client(user, proef_access):
    proef_access.grant("c1", user)
    client = await connect(user)
    await client.send_json_to({"action": "watch", "aggregate_type": PROEF, "id": "c1"})
    assert (await client.receive_json_from(timeout=5))["type"] == "presence"
    return client


async def test_a_watching_connection_runs_a_presence_task_and_the_hub_listener(
    fresh_channel_layer, make_user, proef_access
):
    user = await make(make_user)(Rol.CONSULENT)
    client = await _watching_client(user, proef_access)
    tasks = _running_tasks()
    assert f"realtime.presence.{user.pk}" in tasks
    assert "realtime.fanout" in tasks
    await client.disconnect()


async def test_disconnect_leaves_no_task_behind(fresh_channel_layer, make_user, proef_access):
    client = await _watching_client(await make(make_user)(Rol.CONSULENT), proef_access)
    await client.disconnect()
    assert _running_tasks() == []
    assert hub().task is None


async def test_a_cancelled_connection_stops_its_background_tasks(
    fresh_channel_layer, make_user, proef_access
):
    # What a server does to a connection it gives up on: cancel, no disconnect message.
    client = await _watching_client(await make(make_user)(Rol.CONSULENT), proef_access)
    client.future.cancel()
    with pytest.raises(asyncio.CancelledError):
        await client.future
    assert _running_tasks() == []
    assert hub().consumers == {}


async def test_the_hub_listener_ends_when_cancelled_and_can_start_again(
    fresh_channel_layer, make_user
):
    user = await make(make_user)(Rol.CONSULENT)
    first = await connect(user)
    listener = hub().task
    assert listener is not None
    await hub().close()
    assert listener.done()
    await first.disconnect()

    again = await connect(user)  # a new listener for the next connection
    assert hub().task is not None
    assert not hub().task.done()
    await again.disconnect()
