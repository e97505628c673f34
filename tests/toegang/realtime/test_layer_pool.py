"""The channel layer holds a bounded number of Redis connections; a burst waits for one.

Runs against the Redis of ``REDIS_URL`` (skipped without it): 200 sockets' worth of
group joins at once must not open more than ``max_connections`` connections.
"""

from __future__ import annotations

import asyncio

import pytest

from django.conf import settings

from toegang.realtime.layer import BoundedRedisChannelLayer, join

pytestmark = pytest.mark.asyncio


def _layer(max_connections: int, address: str = "") -> BoundedRedisChannelLayer:
    address = address or settings.REDIS_URL
    host = {"address": address, "max_connections": max_connections, "timeout": 10}
    return BoundedRedisChannelLayer(hosts=[host])


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")
async def test_a_burst_of_group_joins_waits_for_the_pool_instead_of_opening_more():
    layer = _layer(max_connections=4)
    await layer.flush()
    try:
        channels = [await layer.new_channel() for _ in range(200)]
        await asyncio.gather(*(layer.group_add("burst", c) for c in channels))
        pool = layer.connection(0).connection_pool
        assert 0 < len(pool._available_connections) + len(pool._in_use_connections) <= 4
        await layer.group_send("burst", {"type": "hello"})
        assert (await layer.receive(channels[0]))["type"] == "hello"
    finally:
        await layer.flush()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")
async def test_joining_several_groups_is_one_round_trip(monkeypatch):
    layer = _layer(max_connections=4)
    await layer.flush()
    sent: list[int] = []
    connection_class = layer.connection(0).connection_pool.connection_class
    original = connection_class.send_packed_command

    async def counting(self, command, *args, **kwargs):
        sent.append(1)
        return await original(self, command, *args, **kwargs)

    try:
        channel = await layer.new_channel()
        await layer.connection(0).ping()  # connected (SELECT) before counting
        monkeypatch.setattr(connection_class, "send_packed_command", counting)
        await join(layer, ("user.1", "token.abc"), channel)
        monkeypatch.undo()
        assert len(sent) == 1
        for group in ("user.1", "token.abc"):
            await layer.group_send(group, {"type": "hello", "group": group})
            assert (await layer.receive(channel))["group"] == group
    finally:
        await layer.flush()


async def test_the_pool_is_bounded_without_touching_redis():
    # Pools connect lazily: nothing listens on this address for the test.
    pool = _layer(7, "redis://127.0.0.1:6379/15").connection(0).connection_pool
    assert pool.max_connections == 7
    assert type(pool).__name__ == "BlockingConnectionPool"
