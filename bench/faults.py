"""Recovery figures of the fault scenarios (docs/architecture.md, "Degradation").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/faults python -m bench.faults

Starts its own redis-server and nats-server on free loopback ports (the servers of
tests/faults), stops and restarts them, and prints per scenario:

1. Redis outage: events committed while Redis is down; time from Redis' return to
   the first and the last of them marked delivered; baseline: commit → delivered
   with Redis up, in the same run.
2. NATS outage: commit → delivered latency (p50, max) while NATS is down, against
   the same with NATS up; then the time from NATS' return until NATS has them all.
3. Relay ``kill -9``: two relay processes, one killed mid-stream; time from the kill
   until the rows it held are delivered by the other (takeover), events lost, and
   events sent twice on the channel layer (consumers drop those by event id).
4. Database connections terminated (``pg_terminate_backend``) under a running relay:
   whether it survives, and the time until it delivers again.

Every phase is bounded in time; loopback only.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tests.faults.servers import NatsServer, RedisServer

BOUND = 60.0
EVENTS = 40


def _ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _wait(condition: Callable[[], bool], bound: float = BOUND) -> bool:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _ts(value: datetime | None) -> float:
    return value.timestamp() if value is not None else float("nan")


# -- fixtures of the run ------------------------------------------------------------


def _setup() -> tuple[Any, list[Any]]:
    """A team with a consulent, and signals in its queue (their events reach the team)."""
    from signalen.services import signaal_receive
    from tests.signalen import factories
    from tests.toegang.factories import OrganisatieFactory, TeamFactory, UserFactory
    from toegang.events.models import OutboxEvent
    from toegang.models import Organisatie
    from toegang.roles import Rol

    OutboxEvent.objects.all().delete()
    run = time.time_ns()  # the database may hold earlier runs
    gemeente = OrganisatieFactory(naam="Gemeente Bench", soort=Organisatie.Soort.GEMEENTE)
    team = TeamFactory(organisatie=gemeente, naam=f"Team {run}")
    UserFactory(rol=Rol.CONSULENT, organisatie=gemeente, team=team, username=f"c{run}")
    melder = factories.melder_of(factories.inloophuis(naam=f"Inloophuis {run}"), username=f"m{run}")
    signalen = [
        signaal_receive(melder=melder, data=factories.body(omschrijving=f"Bench {i}."))
        for i in range(5)
    ]
    return team, signalen


class _Emitter:
    def __init__(self, team: Any, signalen: list[Any]):
        self.team = team
        self.signalen = signalen
        self.version = 100

    def emit(self, count: int, spacing: float = 0.0) -> list[int]:
        from django.db import transaction

        from toegang.events.outbox import emit

        ids = []
        for index in range(count):
            self.version += 1
            with transaction.atomic():
                row = emit(
                    "signaal.bijgewerkt",
                    aggregate_type="signaal",
                    aggregate_id=self.signalen[index % len(self.signalen)].pk,
                    version=self.version,
                    data={"team_id": self.team.pk},
                )
            ids.append(row.pk)
            if spacing:
                time.sleep(spacing)
        return ids


def _rows(ids: list[int]) -> list[Any]:
    from toegang.events.models import OutboxEvent

    return list(OutboxEvent.objects.filter(pk__in=ids).order_by("pk"))


def _delivered(ids: list[int]) -> bool:
    from toegang.events.models import OutboxEvent

    return not OutboxEvent.objects.filter(pk__in=ids, delivered_at__isnull=True).exists()


def _published(ids: list[int]) -> bool:
    from toegang.events.models import OutboxEvent

    return not OutboxEvent.objects.filter(pk__in=ids, published_at__isnull=True).exists()


def _latencies(ids: list[int]) -> list[float]:
    return [_ts(r.delivered_at) - _ts(r.created_at) for r in _rows(ids)]


def _start_lanes(names: set[str]) -> threading.Event:
    from toegang import worker

    stop = threading.Event()
    worker.start_lanes(stop, names)
    return stop


# -- scenarios ----------------------------------------------------------------------


def redis_outage(redis: RedisServer, emitter: _Emitter) -> None:
    stop = _start_lanes({"relay"})
    try:
        baseline_ids = emitter.emit(EVENTS, spacing=0.02)
        _wait(lambda: _delivered(baseline_ids))
        baseline = statistics.median(_latencies(baseline_ids))
        redis.stop()
        down_ids = emitter.emit(EVENTS, spacing=0.05)
        time.sleep(3.0)
        redis.start()
        returned = time.time()
        complete = _wait(lambda: _delivered(down_ids))
        rows = _rows(down_ids)
        first = min(_ts(r.delivered_at) for r in rows) - returned
        last = max(_ts(r.delivered_at) for r in rows) - returned
    finally:
        stop.set()
    lost = sum(1 for r in rows if r.delivered_at is None)
    print(
        f"redis outage: {len(down_ids)} events committed while down, all delivered: {complete}, "
        f"lost {lost}; Redis back → first delivered {first:.2f} s, last {last:.2f} s "
        f"(baseline commit → delivered with Redis up: p50 {baseline * 1000:.0f} ms; "
        f"first after return / baseline = {first / baseline:.1f}x)"
    )


def nats_outage(nats: NatsServer, emitter: _Emitter) -> None:
    from django.conf import settings

    settings.NATS_URL = nats.url
    stop = _start_lanes({"relay", "nats"})
    try:
        up_ids = emitter.emit(EVENTS, spacing=0.05)
        _wait(lambda: _delivered(up_ids) and _published(up_ids))
        up = _latencies(up_ids)
        nats.stop()
        down_ids = emitter.emit(EVENTS, spacing=0.05)
        _wait(lambda: _delivered(down_ids))
        down = _latencies(down_ids)
        nats.start()
        returned = time.time()
        caught_up = _wait(lambda: _published(down_ids))
        last_published = max(_ts(r.published_at) for r in _rows(down_ids)) - returned
    finally:
        stop.set()
        settings.NATS_URL = ""
    print(
        f"nats outage: browser delivery commit → delivered p50 "
        f"{statistics.median(down) * 1000:.0f} ms, max {max(down) * 1000:.0f} ms "
        f"while NATS is down; with NATS up p50 "
        f"{statistics.median(up) * 1000:.0f} ms, max {max(up) * 1000:.0f} ms "
        f"(ratio p50 down/up {statistics.median(down) / statistics.median(up):.2f}); "
        f"NATS back → all published: {caught_up}, after {last_published:.2f} s"
    )


def relay_kill(redis: RedisServer, emitter: _Emitter) -> None:
    from django.db import connection

    from tests.faults.processes import listen_fanout, start_relay
    from toegang.events.models import OutboxEvent

    if connection.vendor != "postgresql":
        print("relay kill: skipped (needs PostgreSQL)")
        return
    ids = emitter.emit(300)
    received: Counter[int] = Counter()
    ready = threading.Event()

    def listen() -> None:
        received.update(
            asyncio.run(listen_fanout(redis.url, set(ids), bound=BOUND, ready=ready.set))
        )

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    ready.wait(10)
    first = start_relay(redis_url=redis.url, batch_size=20)
    second = start_relay(redis_url=redis.url, batch_size=20)
    delivered = OutboxEvent.objects.filter(pk__in=ids, delivered_at__isnull=False)
    try:
        _wait(lambda: delivered.count() > 60)
        mine = f":{first.pid}:"
        _wait(lambda: OutboxEvent.objects.filter(claimed_by__contains=mine).exists(), 10)
        held = list(
            OutboxEvent.objects.filter(
                pk__in=ids, status="pending", claimed_by__contains=mine
            ).values_list("pk", flat=True)
        )
        first.kill()
        killed = time.time()
        first.wait()
        _wait(lambda: _delivered(ids))
        listener.join(BOUND)
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()
                process.wait()
    rows = {r.pk: r for r in _rows(ids)}
    held_ids = [pk for pk in held if pk in rows]
    takeover = max((_ts(rows[pk].delivered_at) for pk in held_ids), default=float("nan")) - killed
    lost = sum(1 for r in rows.values() if r.delivered_at is None)
    doubled = sum(count - 1 for count in received.values() if count > 1)
    print(
        f"relay kill -9: {len(ids)} events, {len(held_ids)} held by the killed relay; "
        f"kill → the last of them delivered by the other {takeover:.2f} s "
        f"(lease 5 s); lost {lost}; sent twice on the layer {doubled} "
        f"(dropped by the consumers' event-id check); received {len(received)}"
    )


def database_terminated(redis: RedisServer, emitter: _Emitter) -> None:
    from django.db import connection

    from tests.faults.processes import start_relay, terminate_relay_connections
    from toegang.events.models import OutboxEvent

    if connection.vendor != "postgresql":
        print("database connections terminated: skipped (needs PostgreSQL)")
        return
    ids = emitter.emit(300)
    delivered = OutboxEvent.objects.filter(pk__in=ids, delivered_at__isnull=False)
    relay = start_relay(redis_url=redis.url, batch_size=20)
    try:
        _wait(lambda: delivered.count() > 60)
        terminated = terminate_relay_connections()
        at = time.time()
        complete = _wait(lambda: _delivered(ids))
        survived = relay.poll() is None
    finally:
        if relay.poll() is None:
            relay.kill()
            relay.wait()
    after = [_ts(r.delivered_at) - at for r in _rows(ids) if _ts(r.delivered_at) > at]
    resumed = min(after) if after else float("nan")
    print(
        f"the relay's {terminated} database connections terminated mid-stream: "
        f"relay survived {survived}, "
        f"all {len(ids)} delivered {complete}; termination → next delivery {resumed:.2f} s"
    )


def main() -> int:
    if not (RedisServer.available() and NatsServer.available()):
        print("bench.faults: redis-server and nats-server are needed")
        return 1
    url = os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/faults")
    if url.startswith("postgres"):
        _ensure_database(url)
    redis, nats = RedisServer(), NatsServer()
    redis.start()
    nats.start()
    os.environ["REDIS_URL"] = redis.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["EMBEDDED_WORKER"] = "0"
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-faults-"))
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        emitter = _Emitter(*_setup())
        redis_outage(redis, emitter)
        nats_outage(nats, emitter)
        relay_kill(redis, emitter)
        database_terminated(redis, emitter)
    finally:
        redis.close()
        nats.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
