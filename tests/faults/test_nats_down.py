"""NATS down: browsers keep getting their events; NATS gets them once it is back."""

from __future__ import annotations

import asyncio
import threading

import pytest

from channels.db import database_sync_to_async

from tests.toegang.events.helpers import connect, emit_committed, receive_events
from toegang import worker
from toegang.events.models import OutboxEvent
from toegang.roles import Rol

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

EVENTS = 8
#: Upper bound on waiting for NATS to catch up after its return.
CATCH_UP_BOUND = 30.0


@pytest.fixture
def lanes():
    """The relay and NATS lanes in threads of their own, as ``manage.py relay`` runs them."""
    stop = threading.Event()
    threads: list[threading.Thread] = []
    yield lambda: threads.extend(worker.start_lanes(stop, {"relay", "nats"}))
    stop.set()
    for thread in threads:
        thread.join(timeout=15)


@database_sync_to_async
def _unpublished() -> int:
    return OutboxEvent.objects.filter(published_at__isnull=True).count()


async def test_browsers_get_every_event_while_nats_is_down(
    nats_server, settings, fresh_channel_layer, make_user, proef_access, lanes
):
    settings.NATS_URL = nats_server.url
    nats_server.stop()
    user = await database_sync_to_async(make_user)(Rol.CONSULENT)
    proef_access.grant("p1", user)
    client = await connect(user)
    lanes()
    emitted = [
        await database_sync_to_async(emit_committed)(aggregate_id="p1", version=v)
        for v in range(1, EVENTS + 1)
    ]
    received = await receive_events(client, EVENTS)  # each within the helper's bound
    assert [m["event_id"] for m in received] == [e.pk for e in emitted]
    assert await _unpublished() == EVENTS  # NATS has none of them yet ...

    nats_server.start()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CATCH_UP_BOUND
    while await _unpublished() and loop.time() < deadline:
        await asyncio.sleep(0.1)
    assert await _unpublished() == 0  # ... and all of them once it is back
