"""The Redis channel layer with a bounded pool: bursts wait for a connection.

channels_redis opens a new connection whenever all of its pool's are busy, up to
``max_connections``, and then refuses (``MaxConnectionsError``). A burst of
websockets connecting or disconnecting (each joins or leaves its groups) thus
opened hundreds of connections per process, or failed. With a blocking pool a
process holds at most ``max_connections`` (``REDIS_LAYER_HOST_OPTIONS``), and a
caller beyond that waits up to ``timeout`` seconds for a free one.

Joining a group is two Redis round trips on channels_redis (``ZADD``, then
``EXPIRE``); a websocket joins two or three groups when it connects. :func:`join`
sends them all in one pipeline per shard instead: one round trip per connect.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class BoundedRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinel or explicit pools: channels_redis' own
            return super().create_pool(index)
        return BlockingConnectionPool.from_url(host.pop("address"), **host)

    async def group_add(self, group: str, channel: str) -> None:
        await self.groups_add((group,), channel)

    async def groups_add(self, groups: Iterable[str], channel: str) -> None:
        """Add ``channel`` to ``groups``: ``ZADD`` and ``EXPIRE`` each, one round trip per shard."""
        assert self.require_valid_channel_name(channel), "Channel name not valid"
        keys: dict[int, list[bytes]] = defaultdict(list)
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
            keys[self.consistent_hash(group)].append(self._group_key(group))
        now = time.time()
        for index, group_keys in keys.items():
            async with self.connection(index).pipeline(transaction=False) as pipe:
                for key in group_keys:
                    pipe.zadd(key, {channel: now})
                    pipe.expire(key, self.group_expiry)
                await pipe.execute()


async def join(layer: Any, groups: Iterable[str], channel: str) -> None:
    """Add ``channel`` to ``groups``: in one go where the layer can, else one by one."""
    if isinstance(layer, BoundedRedisChannelLayer):
        await layer.groups_add(groups, channel)
        return
    for group in groups:
        await layer.group_add(group, channel)
