"""Settings for bench.realtime_bench: the base settings, a chosen channel layer, quiet logs.

``BENCH_LAYER=core`` (channels_redis RedisChannelLayer with production's bounded pool)
or ``pubsub`` (RedisPubSubChannelLayer), both on ``REDIS_URL``.
"""

from __future__ import annotations

import os

from toegang.settings.base import *  # noqa: F403
from toegang.settings.base import REDIS_LAYER_HOST_OPTIONS, REDIS_URL

_HOST = {"address": REDIS_URL, **REDIS_LAYER_HOST_OPTIONS}

DEBUG = False
SECRET_KEY = "bench-only-not-secret-" + "b" * 40
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
EMBEDDED_WORKER = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_LAYERS = {
    "core": (
        "toegang.realtime.layer.BoundedRedisChannelLayer",
        {"hosts": [_HOST], "capacity": 1500, "expiry": 30},
    ),
    "pubsub": (
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        {"hosts": [{"address": REDIS_URL, "socket_timeout": 15, "max_connections": 1000}]},
    ),
}
_backend, _config = _LAYERS[os.environ.get("BENCH_LAYER", "core")]
CHANNEL_LAYERS = {"default": {"BACKEND": _backend, "CONFIG": _config}}
#: ``fanout`` (one message per event per server process) or ``groups`` (per recipient).
EVENTS = {"delivery": os.environ.get("BENCH_DELIVERY", "fanout")}

from toegang.logging import configure  # noqa: E402

configure(fmt="console", level="WARNING")
