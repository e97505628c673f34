"""Publishing to NATS JetStream against the local server (skipped when it is not running)."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid

import pytest

from django.test import override_settings

from tests.toegang.events.helpers import emit_committed
from tests.toegang.events.layers import RecordingLayer
from toegang.events.models import OutboxEvent
from toegang.events.nats import NatsLane
from toegang.events.relay import Relay

NATS_URL = "nats://127.0.0.1:4222"
pytestmark = pytest.mark.django_db(transaction=True)


def _nats_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def stream():
    if not _nats_reachable():
        pytest.skip("NATS is not running on 127.0.0.1:4222")
    nats = pytest.importorskip("nats")
    suffix = uuid.uuid4().hex[:8]
    name, prefix = f"BREDE_TOEGANG_TEST_{suffix}", f"toegangtest{suffix}"
    with override_settings(NATS_URL=NATS_URL, NATS_STREAM=name, NATS_SUBJECT_PREFIX=prefix):
        yield name, prefix

    async def drop() -> None:
        nc = await nats.connect(NATS_URL)
        try:
            await nc.jetstream().delete_stream(name)
        finally:
            await nc.close()

    asyncio.run(drop())


def _stream_messages(name: str, prefix: str) -> list:
    import nats

    async def fetch() -> list:
        nc = await nats.connect(NATS_URL)
        try:
            js = nc.jetstream()
            info = await js.stream_info(name)
            return [await js.get_msg(name, seq) for seq in range(1, info.state.messages + 1)]
        finally:
            await nc.close()

    return asyncio.run(fetch())


def test_the_relay_publishes_delivered_events_to_jetstream(stream, proef_access):
    name, prefix = stream
    first = emit_committed(aggregate_id="p1", version=1)
    second = emit_committed(aggregate_id="p1", version=2)
    relay = Relay(layer=RecordingLayer())
    relay.run_once()
    relay.close()
    assert not OutboxEvent.objects.filter(published_at__isnull=False).exists()  # not its lane
    lane = NatsLane()
    assert lane.run_once() == 2
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()

    # A replay publishes again; JetStream drops the duplicate by its Nats-Msg-Id.
    OutboxEvent.objects.update(published_at=None)
    lane.run_once()
    lane.close()

    messages = _stream_messages(name, prefix)
    assert [m.subject for m in messages] == [f"{prefix}.proef.gewijzigd"] * 2
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [
        str(first.event_id),
        str(second.event_id),
    ]
    body = json.loads(messages[1].data)
    assert (body["sequence"], body["version"], body["aggregate_id"]) == (second.pk, 2, "p1")
