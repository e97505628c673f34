"""The child processes of ``bench.realtime_bench``: a relay with timing, and an emitter.

Both run with ``DJANGO_SETTINGS_MODULE=bench.realtime_settings`` after ``django.setup()``.
Recipients are deterministic per aggregate ``b<k>``: 1..max_recipients bench users.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from typing import Any

BENCH_EVENT = "bench.gewijzigd"
AGGREGATE = "bench"
AGGREGATES = 1000
USER_PREFIX = "bench-u"


def define_bench_event() -> None:
    from toegang.events import registry

    registry.define(BENCH_EVENT, aggregate_type=AGGREGATE, keys=set())


def bench_user_ids() -> list[int]:
    from toegang.models import User

    return list(
        User.objects.filter(username__startswith=USER_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def recipients_of(k: int, user_ids: list[int], max_recipients: int) -> list[int]:
    """Between 1 and ``max_recipients`` users per aggregate (13 on average for 25)."""
    count = min(len(user_ids), 1 + (k * 7) % max_recipients)
    start = (k * 7919) % len(user_ids)
    return [user_ids[(start + j) % len(user_ids)] for j in range(count)]


class TimingLayer:
    """Wraps the configured layer; remembers when each event's last group send finished
    (a ``domain.fanout`` message carries a relay round's events)."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.done: dict[int, float] = {}

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self.inner.group_send(group, message)
        now = time.time()
        for event in message.get("events", [message]):
            self.done[event["event_id"]] = now

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def run_relay(out: str, max_recipients: int) -> None:
    from channels.layers import get_channel_layer
    from django.db import close_old_connections

    from toegang.events import registry
    from toegang.events.listen import Waiter
    from toegang.events.relay import Relay

    define_bench_event()
    user_ids = bench_user_ids()
    registry.register_recipients(
        AGGREGATE, lambda e: recipients_of(int(e.aggregate_id[1:]), user_ids, max_recipients)
    )
    layer = TimingLayer(get_channel_layer())
    relay = Relay(layer=layer, batch_size=100)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    waiter = Waiter()
    while not stop.is_set():
        close_old_connections()
        if relay.run_once() < relay.config["batch_size"]:
            waiter.wait(0.5)
    waiter.close()
    relay.close()
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(layer.done, handle)


def run_emitter(out: str, rate: float, duration: float, start_index: int, threads: int = 4) -> None:
    """Emit ``rate`` events/s for ``duration`` s from ``threads`` connections (commits overlap)."""
    from django.db import connection, transaction

    from toegang.events.outbox import emit

    define_bench_event()
    records: list[tuple[int, int, float]] = []
    total = int(rate * duration)
    started = time.monotonic() + 0.2

    def work(offset: int) -> None:
        try:
            for i in range(offset, total, threads):
                delay = started + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                k = (start_index + i) % AGGREGATES
                with transaction.atomic():
                    event = emit(
                        BENCH_EVENT, aggregate_type=AGGREGATE, aggregate_id=f"b{k}", version=i
                    )
                records.append((event.pk, k, time.time()))
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"records": records, "elapsed": elapsed}, handle)
