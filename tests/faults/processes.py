"""A ``manage.py relay`` in a process of its own, on the test database and a given Redis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
RELAY_APPLICATION_NAME = "fault-relay"


def terminate_relay_connections() -> int:
    """``pg_terminate_backend`` for every database connection of the relay processes."""
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [RELAY_APPLICATION_NAME],
        ).fetchall()
    return len(rows)


def database_url() -> str:
    """The URL of the database the test runs on (PostgreSQL: the test database)."""
    db: dict[str, Any] = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def start_relay(
    *, redis_url: str, batch_size: int = 10, nats_url: str = ""
) -> subprocess.Popen[bytes]:
    """Start a relay process (webhooks and NATS lanes included) and return it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "toegang.settings.dev",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "NATS_URL": nats_url,
        "EMBEDDED_WORKER": "0",
        "VAR_DIR": tempfile.mkdtemp(prefix="fault-relay-"),
        "LOG_LEVEL": "WARNING",
        # libpq names the relay's connections, so a test can terminate exactly those.
        "PGAPPNAME": RELAY_APPLICATION_NAME,
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "relay", "--batch-size", str(batch_size),
         "--poll-interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def listen_fanout(
    url: str,
    expected: set[int],
    *,
    bound: float,
    ready: Callable[[], None] = lambda: None,
    on_message: Callable[[Counter[int]], None] = lambda received: None,
    settle: float = 1.0,
) -> Counter[int]:
    """Count the events the relays fan out on Redis ``url``, as an ASGI process hears them.

    Listens until every id in ``expected`` came (and ``settle`` seconds more, for
    late repeats) or ``bound`` seconds passed. The receive is never cancelled by a
    timer (channels_redis may drop a message whose receive is cancelled): a stop
    message to the listener's own channel ends it.
    """
    from channels_redis.core import RedisChannelLayer

    from toegang.realtime.hub import FANOUT_GROUP

    # socket_timeout above the 5 s blocking pop: redis-py 8 would time the read out.
    layer = RedisChannelLayer(
        hosts=[{"address": url, "socket_timeout": 15}], expiry=60, capacity=100_000
    )
    channel = await layer.new_channel()
    await layer.group_add(FANOUT_GROUP, channel)
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    def stop_later(seconds: float) -> asyncio.TimerHandle:
        def send_stop() -> None:
            task = loop.create_task(layer.send(channel, {"type": "listen.stop"}))
            tasks.add(task)

        return loop.call_later(seconds, send_stop)

    timer = stop_later(bound)
    received: Counter[int] = Counter()
    ready()
    try:
        while True:
            message = await layer.receive(channel)
            if message["type"] == "listen.stop":
                break
            for event in message["events"]:  # one domain.fanout message per relay round
                received[int(event["event_id"])] += 1
            on_message(received)
            if set(received) >= expected and timer.when() > loop.time() + settle:
                timer.cancel()
                timer = stop_later(settle)
    finally:
        timer.cancel()
        for task in tasks:
            await task
        await layer.close_pools()
    return received
