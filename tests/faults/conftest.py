"""Servers the fault tests own. Skipped without the binaries, unless REQUIRE_FAULT_SERVERS=1."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.faults.servers import NatsServer, RedisServer
from tests.signalen.conftest import api_client_of, inloophuis, melder
from tests.toegang.events.helpers import fresh_channel_layer, proef_access

# The intake's and the event platform's fixtures.
__all__ = ["api_client_of", "fresh_channel_layer", "inloophuis", "melder", "proef_access"]


def _require(server_class: type[RedisServer] | type[NatsServer]) -> None:
    if server_class.available():
        return
    message = f"{server_class.binary} is not installed"
    if os.environ.get("REQUIRE_FAULT_SERVERS") == "1":
        pytest.fail(message + " (REQUIRE_FAULT_SERVERS=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own on a free port, running."""
    _require(RedisServer)
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def nats_server() -> Iterator[NatsServer]:
    """A nats-server (JetStream) of this test's own on a free port, running."""
    _require(NatsServer)
    server = NatsServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def own_redis_cache(settings, redis_server: RedisServer) -> RedisServer:
    """The default cache on this test's own Redis (the production backend)."""
    settings.CACHES = {
        "default": {"BACKEND": "toegang.cache.FallbackRedisCache", "LOCATION": redis_server.url}
    }
    return redis_server
