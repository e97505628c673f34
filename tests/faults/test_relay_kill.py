"""A relay killed with ``kill -9``, or its database connections terminated, mid-stream.

Another relay takes over after the lease, or the relay itself goes on; nothing is lost.

Runs real relay processes against the PostgreSQL test database (SQLite has no
``SKIP LOCKED`` and no second process on the test database) and this test's own
Redis, and listens to the fan-out group the ASGI processes listen to.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from django.db import connection, transaction

from signalen.models import Signaal
from tests.faults.processes import listen_fanout, start_relay, terminate_relay_connections
from tests.signalen import factories
from toegang.events.models import OutboxEvent
from toegang.events.outbox import emit
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


def _all_delivered(ids: list[int]) -> bool:
    """Wait (bounded) until every row is marked delivered, as a relay finishes its round."""
    deadline = time.monotonic() + BOUND_SECONDS
    pending = OutboxEvent.objects.filter(pk__in=ids).exclude(status=OutboxEvent.Status.DELIVERED)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return not pending.exists()


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


def test_a_relay_killed_mid_stream_is_taken_over_without_loss(
    redis_server, api_client_of, inloophuis, make_user, team
):
    make_user(Rol.TEAMLEIDER)
    ids = _emit_stream(api_client_of(inloophuis), team)
    processes: list = []

    def kill_first_start_second(received: Counter[int]) -> None:
        if len(processes) == 1 and len(received) >= len(ids) // 4:
            processes[0].kill()  # SIGKILL: no cleanup, its claims stay until the lease ends
            processes[0].wait()
            processes.append(start_relay(redis_url=redis_server.url))

    try:
        received = asyncio.run(
            listen_fanout(
                redis_server.url,
                set(ids),
                bound=BOUND_SECONDS,
                ready=lambda: processes.append(start_relay(redis_url=redis_server.url)),
                on_message=kill_first_start_second,
            )
        )
        # The rows the killed relay held are marked once the other relay took them over.
        delivered = _all_delivered(ids)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    first = processes[0]
    assert first.returncode == -9
    assert set(received) == set(ids)  # 0 lost
    # At-least-once: what the killed relay sent but could not mark goes out again, at
    # most its one batch; the consumers drop an event id they passed on already.
    assert sum(count - 1 for count in received.values()) <= 10
    assert delivered
    statuses = Counter(OutboxEvent.objects.values_list("status", flat=True))
    assert statuses == Counter({OutboxEvent.Status.DELIVERED: len(ids)})


def test_delivery_goes_on_after_the_database_connections_are_terminated(
    redis_server, api_client_of, inloophuis, make_user, team
):
    make_user(Rol.TEAMLEIDER)
    ids = _emit_stream(api_client_of(inloophuis), team)
    processes: list = []
    terminated: list[int] = []

    def terminate_mid_stream(received: Counter[int]) -> None:
        if not terminated and len(received) >= len(ids) // 4:
            terminated.append(terminate_relay_connections())

    try:
        received = asyncio.run(
            listen_fanout(
                redis_server.url,
                set(ids),
                bound=BOUND_SECONDS,
                ready=lambda: processes.append(start_relay(redis_url=redis_server.url)),
                on_message=terminate_mid_stream,
            )
        )
        delivered = _all_delivered(ids)
        survived = processes[0].poll() is None
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert terminated and terminated[0] >= 1
    assert survived  # the relay rode it out and went on by itself
    assert set(received) == set(ids)  # 0 lost
    assert delivered
    statuses = Counter(OutboxEvent.objects.values_list("status", flat=True))
    assert statuses == Counter({OutboxEvent.Status.DELIVERED: len(ids)})
