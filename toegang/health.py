"""Liveness of the parts of the platform: the database it needs, and the parts it can miss.

The database is required: without it nothing works (503). The channel layer
(Redis), the cache (Redis) and NATS are not: while one is down the platform runs
degraded ("beperkt", still 200), see the degradation matrix in docs/architecture.md.

``report`` checks the database on every call (one ``SELECT 1``: the 503 follows an
outage at once). The other parts take a thread, an event loop and a connection of
their own for the channel layer's round trip, a Redis ping, a NATS greeting and the
audit key and anchors: about 15 ms of CPU. A process checks those at most once per
``HEALTHZ_CACHE_SECONDS`` (5 s; 0 checks on every call) and answers from that result
meanwhile, so a load balancer polling every process often, or a load test using
``/healthz`` as its baseline, costs next to nothing.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from audit.anchors import configured as anchors_configured
from audit.anchors import status as anchor_status
from audit.keys import key_status as audit_key_status

#: Seconds the channel layer may take to pass one message round.
LAYER_TIMEOUT = 3.0
#: Seconds NATS may take to greet.
PROBE_TIMEOUT = 1.0
#: Extra seconds for closing the check's own connections before giving up on its thread.
CLOSE_GRACE = 2.0


def _describe(exc: Exception) -> str:
    # Only the exception class and its first line: no connection strings with passwords.
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200]


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, _describe(exc)
    return True, connection.vendor


def check_cache() -> tuple[bool, str]:
    """Ping the cache's Redis itself (the cache hides an outage behind its fallback)."""
    from toegang.cache import FallbackRedisCache

    backend = caches["default"]
    if not isinstance(backend, FallbackRedisCache):
        return True, type(backend).__name__
    try:
        backend._cache.get_client(write=True).ping()
    except Exception as exc:
        return False, _describe(exc)
    return True, "redis"


def check_nats() -> tuple[bool, str] | None:
    """Whether NATS greets us (None when no ``NATS_URL`` is set)."""
    url = getattr(settings, "NATS_URL", "")
    if not url:
        return None
    try:
        _probe(url)
    except Exception as exc:
        return False, _describe(exc)
    return True, "nats"


def _probe(url: str) -> None:
    """Open a TCP connection to NATS and expect its greeting."""
    parts = urlsplit(url.split(",")[0])
    address = (parts.hostname or "127.0.0.1", parts.port or 4222)
    with socket.create_connection(address, timeout=PROBE_TIMEOUT) as sock:
        sock.settimeout(PROBE_TIMEOUT)
        if not sock.recv(64).startswith(b"INFO"):
            raise ConnectionError("onverwacht antwoord")


def check_channel_layer(timeout: float = LAYER_TIMEOUT) -> tuple[bool, str]:
    """Send a message to a fresh channel of a fresh layer instance and receive it back.

    Bounded by ``timeout`` whatever Redis does. It runs on an event loop of its
    own in a thread of its own, with a new instance of the configured layer: the
    shared instance's connections and receive state belong to the server's loop
    (channels_redis refuses receives from two loops at once), and a wedged server
    loop must not wedge the health check too. Closing that loop closes the
    instance's connections, with the pub/sub layer's subscriptions.
    """
    if DEFAULT_CHANNEL_LAYER not in channel_layers.configs:
        return False, "geen channel layer ingesteld"
    try:
        layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    except Exception as exc:
        return False, _describe(exc)
    outcome: list[Exception | None] = []
    worker = threading.Thread(
        target=lambda: outcome.append(_run_round_trip(layer, timeout)),
        name="healthz-channel-layer",
        daemon=True,
    )
    worker.start()
    worker.join(timeout + CLOSE_GRACE)
    if not outcome:
        return False, f"geen antwoord binnen {timeout:g} s"
    error = outcome[0]
    if isinstance(error, TimeoutError):
        return False, f"geen antwoord binnen {timeout:g} s"
    if error is not None:
        return False, _describe(error)
    return True, type(layer).__name__


def _run_round_trip(layer: Any, timeout: float) -> Exception | None:
    try:
        asyncio.run(_round_trip(layer, timeout))
    except Exception as exc:
        return exc
    return None


async def _round_trip(layer: Any, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        # ``new_channel`` first: on the pub/sub layer it subscribes, and a message
        # published before the subscription would never arrive.
        channel = await layer.new_channel("healthz")
        await layer.send(channel, {"type": "health.ping"})
        message = await layer.receive(channel)
        if hasattr(layer, "wait_received"):
            # channels_redis removes a received message from its backup queue in a
            # task of its own: let it finish, or the closing loop leaves the key behind.
            await layer.wait_received()
    if message.get("type") != "health.ping":
        raise RuntimeError("onverwacht bericht op het controlekanaal")


Parts = dict[str, dict[str, Any]]


def _service_parts() -> tuple[Parts, list[str]]:
    """Channel layer, cache and (when configured) NATS, and those of them that are down."""
    checks = {"channel_layer": check_channel_layer(), "cache": check_cache()}
    nats = check_nats()
    if nats is not None:
        checks["nats"] = nats
    parts = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
    return parts, [name for name, (ok, _) in checks.items() if not ok]


def _deep_parts() -> tuple[Parts, list[str]]:
    """Every part besides the database (which answered), and those that degrade."""
    parts, degraded = _service_parts()
    # Anchoring: reported always; a configured store that fails or falls behind degrades.
    parts["audit_verankering"] = anchor_status()
    if anchors_configured() and not parts["audit_verankering"]["ok"]:
        degraded.append("audit_verankering")
    # The audit key: without it nothing is sealed; a wrong one makes every new seal suspect.
    parts["audit_sleutel"] = audit_key_status()
    if not parts["audit_sleutel"]["ok"]:
        degraded.append("audit_sleutel")
    return parts, sorted(degraded)


class _Recent:
    """The last result of ``_deep_parts`` in this process, and when it was taken."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at = 0.0
        self.value: tuple[Parts, list[str]] | None = None

    def get(self, max_age: float) -> tuple[Parts, list[str]]:
        # One check at a time: requests arriving meanwhile wait for its result.
        with self.lock:
            if self.value is None or max_age <= 0 or time.monotonic() - self.at >= max_age:
                self.value = _deep_parts()
                self.at = time.monotonic()
            return self.value

    def clear(self) -> None:
        with self.lock:
            self.value = None


_recent = _Recent()


def report() -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) of ``/healthz``: 200 "ok"; 200 "beperkt" when a part the
    platform can miss is down; 503 "fout" without database."""
    db_ok, db_detail = check_database()
    database = {"ok": db_ok, "detail": db_detail}
    if not db_ok:
        _recent.clear()  # the first answer after the outage checks everything anew
        parts, degraded = _service_parts()
        for name in ("audit_verankering", "audit_sleutel"):
            parts[name] = {"ok": False, "detail": "database onbereikbaar"}
        return 503, {"status": "fout", "database": database, **parts, "beperkt": sorted(degraded)}
    parts, degraded = _recent.get(float(getattr(settings, "HEALTHZ_CACHE_SECONDS", 5.0)))
    status = "beperkt" if degraded else "ok"
    return 200, {"status": status, "database": database, **parts, "beperkt": degraded}
