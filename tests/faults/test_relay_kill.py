"""A relay killed with ``kill -9`` mid-stream: another relay takes over, nothing is lost.

Runs real relay processes against the PostgreSQL test database (SQLite has no
``SKIP LOCKED`` and no second process on the test database) and this test's own
Redis, and listens to the fan-out group the ASGI processes listen to.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from channels_redis.core import RedisChannelLayer

from django.db import connection, transaction

from signalen.models import Signaal
from tests.faults.processes import start_relay
from tests.signalen import factories
from toegang.events.models import OutboxEvent
from toegang.events.outbox import emit
from toegang.realtime.hub import FANOUT_GROUP
from toegang.roles import Rol

pytestmark = pytest.mark.django_db(transaction=True)

SIGNALS = 5
EVENTS_PER_SIGNAL = 20
#: Upper bound on the whole scenario; the test stops waiting after it.
BOUND_SECONDS = 120.0


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("relay processes share the test database only on PostgreSQL")


def _emit_stream(api, team) -> list[int]:
    """Signals from a partner system, then a stream of queue events about them."""
    for index in range(SIGNALS):
        body = factories.body(omschrijving=f"Signaal {index}.")
        api.post("/api/v1/signalen", data=body, format="json", HTTP_IDEMPOTENCY_KEY=f"k{index}")
    signalen = list(Signaal.objects.order_by("pk"))
    assert len(signalen) == SIGNALS
    for version in range(2, EVENTS_PER_SIGNAL + 2):
        for signaal in signalen:
            with transaction.atomic():
                emit(
                    "signaal.bijgewerkt",
                    aggregate_type="signaal",
                    aggregate_id=signaal.pk,
                    version=version,
                    data={"team_id": team.pk},
                )
    return list(OutboxEvent.objects.order_by("pk").values_list("pk", flat=True))


async def _listen(url: str, expected: set[int], first, then) -> tuple[Counter[int], float]:
    """Receive fan-out messages; ``first`` runs once some arrived, ``then`` after that."""
    layer = RedisChannelLayer(hosts=[url], expiry=60)
    channel = await layer.new_channel()
    await layer.group_add(FANOUT_GROUP, channel)
    received: Counter[int] = Counter()
    killed_at = 0.0
    deadline = time.monotonic() + BOUND_SECONDS
    try:
        while set(received) < expected and time.monotonic() < deadline:
            try:
                message = await asyncio.wait_for(layer.receive(channel), 1.0)
            except TimeoutError:
                continue
            received[int(message["event_id"])] += 1
            if not killed_at and len(received) >= len(expected) // 4:
                first()
                killed_at = time.monotonic()
                then()
    finally:
        await layer.close_pools()
    return received, killed_at


def test_a_relay_killed_mid_stream_is_taken_over_without_loss(
    redis_server, api_client_of, inloophuis, make_user, team
):
    make_user(Rol.TEAMLEIDER)
    ids = _emit_stream(api_client_of(inloophuis), team)
    first = start_relay(redis_url=redis_server.url)
    second = None
    try:

        def kill_first() -> None:
            first.kill()  # SIGKILL: no cleanup, its claims stay until the lease runs out
            first.wait()

        def start_second() -> None:
            nonlocal second
            second = start_relay(redis_url=redis_server.url)

        received, _ = asyncio.run(_listen(redis_server.url, set(ids), kill_first, start_second))
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert first.returncode == -9
    assert set(received) == set(ids)  # 0 lost
    # At-least-once: what the killed relay sent but could not mark goes out again, at
    # most its one batch; the consumers drop an event id they passed on already.
    assert sum(count - 1 for count in received.values()) <= 10
    statuses = Counter(OutboxEvent.objects.values_list("status", flat=True))
    assert statuses == Counter({OutboxEvent.Status.DELIVERED: len(ids)})
