"""The Redis cache keeps a few connections per process, however many sockets are open.

Django makes a cache object per thread and per async context (each websocket's task);
they must share one bounded pool, or every open socket holds its own Redis connection.
"""

from __future__ import annotations

import redis

from toegang.cache import FallbackRedisCache

LOCATION = "redis://127.0.0.1:6379/15"  # never connected to here: pools connect lazily


def _cache() -> FallbackRedisCache:
    return FallbackRedisCache(LOCATION, {})


def test_cache_objects_of_one_process_share_one_pool():
    first, second = _cache(), _cache()
    pool = first._cache._get_connection_pool(write=True)
    assert second._cache._get_connection_pool(write=False) is pool


def test_the_shared_pool_is_bounded_and_waits_instead_of_opening_more():
    pool = _cache()._cache._get_connection_pool(write=True)
    assert isinstance(pool, redis.BlockingConnectionPool)
    assert pool.max_connections == 32


def test_other_options_get_their_own_pool():
    other = FallbackRedisCache(LOCATION, {"OPTIONS": {"max_connections": 4}})
    pool = other._cache._get_connection_pool(write=True)
    assert pool is not _cache()._cache._get_connection_pool(write=True)
    assert pool.max_connections == 4
