"""Several relays at once on PostgreSQL: exclusive claims, each event once, order kept."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from django.db import connection

from tests.toegang.events.helpers import emit_committed
from tests.toegang.events.layers import RecordingLayer
from toegang.events.models import OutboxEvent
from toegang.events.relay import Relay
from toegang.roles import Rol


@pytest.fixture(autouse=True, params=["fanout", "groups"])
def delivery(request, settings):
    """Every relay test runs with both deliveries: per-process fan-out and user groups."""
    settings.EVENTS = {"delivery": request.param}
    return request.param


pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED claims need PostgreSQL")


def _run_relays(
    count: int, layer: RecordingLayer, *, batch_size: int
) -> tuple[list[str], Counter[str]]:
    errors: list[str] = []
    handled: Counter[str] = Counter()
    start = threading.Barrier(count)

    def run(name: str) -> None:
        from django.db import connection as thread_connection

        relay = Relay(layer=layer, owner=name, batch_size=batch_size)
        try:
            start.wait()
            idle = 0
            while idle < 3:
                done = relay.run_once()
                handled[name] += done
                idle = idle + 1 if done == 0 else 0
        except Exception as exc:  # surfaced by the assertion below
            errors.append(repr(exc))
        finally:
            relay.close()
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(f"relay-{i}",)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors, handled


def test_two_relays_deliver_each_event_once_and_in_order(make_user, proef_access):
    users = [make_user(Rol.CONSULENT) for _ in range(3)]
    aggregates = [f"a{i}" for i in range(20)]
    for aggregate_id in aggregates:
        proef_access.grant(aggregate_id, *users)
    emitted = [
        emit_committed(aggregate_id=aggregates[i % len(aggregates)], version=i) for i in range(400)
    ]
    layer = RecordingLayer()
    errors, handled = _run_relays(2, layer, batch_size=15)
    assert errors == []
    assert min(handled.values()) > 0, f"one relay did all the work: {handled}"
    assert sum(handled.values()) == len(emitted)  # claimed exactly once in total

    per_group = Counter((group, m["event_id"]) for group, m in layer.sent)
    assert len(per_group) == len(emitted) * len(users)
    assert set(per_group.values()) == {1}, "an event went twice to the same consumer"
    for aggregate_id in aggregates:
        sent = [m["event_id"] for g, m in layer.sent if m["aggregate_id"] == aggregate_id]
        sent_once = list(dict.fromkeys(sent))
        assert sent_once == sorted(sent_once), f"order broken for {aggregate_id}"
    statuses = Counter(OutboxEvent.objects.values_list("status", flat=True))
    assert statuses == {"delivered": len(emitted)}


def test_claims_of_concurrent_relays_do_not_overlap(proef_access):
    from datetime import timedelta

    from toegang.events.claim import claim_batch

    for i in range(200):
        emit_committed(aggregate_id=f"c{i}", version=1)
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def claim(name: str) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            rows = claim_batch(owner=name, batch_size=60, lease=timedelta(seconds=30))
            claimed[name] = [row.pk for row in rows]
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=claim, args=(f"r{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    all_ids = [pk for ids in claimed.values() for pk in ids]
    assert len(all_ids) == len(set(all_ids)) == 200
    for name, ids in claimed.items():
        assert set(OutboxEvent.objects.filter(pk__in=ids).values_list("claimed_by", flat=True)) == {
            name
        }
