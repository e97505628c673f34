"""A Redis cache that falls back to this process's memory while Redis is away.

Nothing in the platform keeps data in the cache that it cannot lose: rate-limit
counters, failed-login counters and short-lived look-ups. So while Redis is
unreachable every cache call goes to a local in-memory cache instead of raising,
and the request carries on (the intake needs PostgreSQL, not Redis). The outage
is logged once when it starts and once when it ends (:mod:`toegang.outage`); while
it lasts, Redis is only probed now and then, so a request never waits for a
connect timeout more than once a second per process. Counters kept locally are
per process, which is the bounded local fallback the rate limits settle for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from toegang.outage import Outage, outage

T = TypeVar("T")

#: Errors that mean "Redis is not there", as opposed to a bad command.
UNREACHABLE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)

#: Short timeouts: a cache that does not answer within a second is treated as down.
#: At most ``max_connections`` per process; a caller waits up to ``timeout`` for one.
DEFAULT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 1.0,
    "max_connections": 32,
    "timeout": 1.0,
}

#: Raise a counter; a new one (1) gets its time to live in the same command. One
#: EVALSHA: half the client's CPU of a MULTI with SET NX EX and INCR in it.
_COUNT_LUA = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""

_pools: dict[tuple[str, str], redis.ConnectionPool] = {}
_pools_lock = threading.Lock()


class SharedPoolClient(RedisCacheClient):
    """Django's Redis client, with one process-wide blocking pool per server and options,
    and one ``redis.Redis`` per pool, made once.

    Django makes a new ``redis.Redis`` for every cache call, and its constructor builds
    a table of some 170 response callbacks: about a third of the CPU of a cache call.
    The client holds no connection of its own (the pool does) and is shared by threads.
    """

    def __init__(self, servers: list[str], **options: Any) -> None:
        options.setdefault("pool_class", redis.BlockingConnectionPool)
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def _get_connection_pool(self, write: bool) -> Any:
        client: Any = self  # Django's private attributes, untyped in its stubs
        server = client._servers[client._get_connection_pool_index(write)]
        options = client._pool_options
        key = (server, repr(sorted(options.items(), key=lambda kv: kv[0])))
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = client._pool_class.from_url(server, **options)
            return pool


class FallbackRedisCache(RedisCache):
    """``RedisCache`` that uses a local memory cache while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = SharedPoolClient
        self._count_scripts: dict[int, Any] = {}  # per redis.Redis of the shared pools
        self.outage: Outage = outage("redis", key=server)
        self.local = LocMemCache(
            f"fallback-{server}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 10_000},
            },
        )

    def _either(self, remote: Callable[[], T], local: Callable[[], T]) -> T:
        if self.outage.should_try():
            try:
                result = remote()
            except UNREACHABLE as exc:
                self.outage.failed(exc)
            else:
                self.outage.succeeded()
                return result
        return local()

    def add(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> bool:
        return self._either(
            lambda: super(FallbackRedisCache, self).add(key, value, timeout, version),
            lambda: self.local.add(key, value, timeout, version),
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._either(
            lambda: super(FallbackRedisCache, self).get(key, default, version),
            lambda: self.local.get(key, default, version),
        )

    def set(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> None:
        self._either(
            lambda: super(FallbackRedisCache, self).set(key, value, timeout, version),
            lambda: self.local.set(key, value, timeout, version),
        )

    def touch(self, key: Any, timeout: Any = None, version: Any = None) -> bool:
        return self._either(
            lambda: super(FallbackRedisCache, self).touch(key, timeout, version),
            lambda: self.local.touch(key, timeout, version),
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._either(
            lambda: super(FallbackRedisCache, self).delete(key, version),
            lambda: self.local.delete(key, version),
        )

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._either(
            lambda: super(FallbackRedisCache, self).get_many(keys, version),
            lambda: self.local.get_many(keys, version),
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._either(
            lambda: super(FallbackRedisCache, self).has_key(key, version),
            lambda: self.local.has_key(key, version),
        )

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        return self._either(
            lambda: super(FallbackRedisCache, self).incr(key, delta, version),
            lambda: self.local.incr(key, delta, version),
        )

    def count(self, key: Any, timeout: int, version: Any = None) -> int:
        """Raise the counter ``key`` by one, made with ``timeout`` seconds to live when it
        is new: one round trip (see :func:`count`)."""
        return self._either(
            lambda: self._count_remote(key, timeout, version),
            lambda: _count_generic(self.local, key, timeout, version),
        )

    def _count_remote(self, key: Any, timeout: int, version: Any) -> int:
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        script = self._count_scripts.get(id(client))
        if script is None:
            script = self._count_scripts[id(client)] = client.register_script(_COUNT_LUA)
        # One script: no other client's command between raising the key and its expiry.
        return int(script(keys=[key], args=[int(timeout)]))

    def set_many(self, data: Any, timeout: Any = None, version: Any = None) -> list[Any]:
        return self._either(
            lambda: super(FallbackRedisCache, self).set_many(data, timeout, version),
            lambda: self.local.set_many(data, timeout, version),
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._either(
            lambda: super(FallbackRedisCache, self).delete_many(keys, version),
            lambda: self.local.delete_many(keys, version),
        )

    def clear(self) -> None:
        self.local.clear()
        self._either(lambda: super(FallbackRedisCache, self).clear(), lambda: None)


def _count_generic(cache: Any, key: Any, timeout: int, version: Any = None) -> int:
    try:
        return int(cache.incr(key, version=version))
    except ValueError:  # the first of this key (or a twin made it just now)
        if cache.add(key, 1, timeout=timeout, version=version):
            return 1
        return int(cache.incr(key, version=version))


def count(key: Any, timeout: int, *, alias: str = DEFAULT_CACHE_ALIAS) -> int:
    """Raise the counter ``key`` of cache ``alias`` by one (made with ``timeout`` seconds
    to live when new) and return it; atomic, so concurrent requests never read the same
    count. One Redis round trip with :class:`FallbackRedisCache` (Django's ``incr`` takes
    two, and an ``add`` first a third); any other cache its ``incr`` and ``add``."""
    cache = caches[alias]
    if isinstance(cache, FallbackRedisCache):
        return cache.count(key, timeout)
    return _count_generic(cache, key, timeout)
