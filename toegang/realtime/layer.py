"""The Redis channel layer with a bounded pool: bursts wait for a connection.

channels_redis opens a new connection whenever all of its pool's are busy, up to
``max_connections``, and then refuses (``MaxConnectionsError``). A burst of
websockets connecting or disconnecting (each joins or leaves its groups) thus
opened hundreds of connections per process, or failed. With a blocking pool a
process holds at most ``max_connections`` (``REDIS_LAYER_HOST_OPTIONS``), and a
caller beyond that waits up to ``timeout`` seconds for a free one.
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class BoundedRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinel or explicit pools: channels_redis' own
            return super().create_pool(index)
        return BlockingConnectionPool.from_url(host.pop("address"), **host)
