"""Rate limits of the melder endpoints: per partner API client and per (web) user.

A fixed-window counter in the cache (Redis in production), raised with the
cache's atomic ``incr``: concurrent requests of one client can never get past
the limit together, unlike DRF's read-modify-write request history. A flood
is turned away before it touches the database beyond the token lookup, and the
consultants' side, which has no such limit, keeps its share of the workers.
A beheerder can give one client its own rate (``PartnerClient.rate_limit``).
While Redis is down the cache counts in process memory (``toegang.cache``), and
a cache without that fallback lets requests through: the intake needs only
PostgreSQL, and a signal lost to a rate limiter's outage is worse than a burst.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from signalen.models import PartnerClient
from toegang.cache import UNREACHABLE
from toegang.cache import count as cache_count
from toegang.outage import outage

_RATE_CACHE_SECONDS = 60
#: Seconds a process keeps a client's rate itself (no cache round trip per request). A
#: change applies at once in the process that made it, in the others within this time.
_RATE_LOCAL_SECONDS = 30.0
_local_rates: dict[int, tuple[float, str]] = {}
#: Rate limits let requests through while the cache is unreachable (logged once).
_FAIL_OPEN = outage("rate_limit")


def _rate_cache_key(user_id: int) -> str:
    return f"signalen:client-rate:{user_id}"


def client_rate(user_id: int) -> str:
    """The client's own rate ("" for the default): kept by the process for half a minute,
    in the cache for a minute."""
    now = time.monotonic()
    kept = _local_rates.get(user_id)
    if kept is not None and kept[0] > now:
        return kept[1]
    key = _rate_cache_key(user_id)
    try:
        rate = cache.get(key)
    except UNREACHABLE:
        rate = None
    if rate is None:
        rate = (
            PartnerClient.objects.filter(user_id=user_id)
            .values_list("rate_limit", flat=True)
            .first()
        ) or ""
        with contextlib.suppress(*UNREACHABLE):
            cache.set(key, rate, _RATE_CACHE_SECONDS)
    if len(_local_rates) > 10_000:  # bounded: one entry per active client
        _local_rates.clear()
    _local_rates[user_id] = (now + _RATE_LOCAL_SECONDS, str(rate))
    return str(rate)


def client_rate_changed(sender: Any, instance: PartnerClient, **_kwargs: Any) -> None:
    """A saved or deleted client (admin, service, shell): this process forgets its rate."""
    _local_rates.pop(instance.user_id, None)


def forget_client_rate(user_id: int) -> None:
    _local_rates.pop(user_id, None)
    with contextlib.suppress(*UNREACHABLE):
        cache.delete(_rate_cache_key(user_id))


class _WindowThrottle(BaseThrottle):
    """At most N requests per window per account; the rates come from DRF's settings."""

    scope = ""

    def __init__(self) -> None:
        self._wait = 0.0

    def applies(self, user: Any) -> bool:
        raise NotImplementedError

    def rate_for(self, user: Any) -> str | None:
        return SimpleRateThrottle.THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Any, view: Any) -> bool:
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and self.applies(user)):
            return True
        rate = self.rate_for(user)
        if not rate:
            return True
        limit, duration = SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]
        if limit is None or duration is None:
            return True
        now = time.time()
        window = int(now // duration)
        key = f"signalen:throttle:{self.scope}:{user.pk}:{duration}:{window}"
        try:
            count = cache_count(key, duration + 1)
        except UNREACHABLE as exc:
            # A cache without fallback that is down: the signal matters more than the
            # limit. Let it through (logged once per outage) rather than answer 500.
            _FAIL_OPEN.failed(exc)
            return True
        _FAIL_OPEN.succeeded()
        if count <= limit:
            return True
        self._wait = (window + 1) * duration - now
        return False

    def wait(self) -> float | None:
        return self._wait or None


class PartnerClientThrottle(_WindowThrottle):
    """Requests of one partner API client (scope ``api_client`` or its own rate)."""

    scope = "api_client"

    def applies(self, user: Any) -> bool:
        return bool(user.is_api_client)

    def rate_for(self, user: Any) -> str | None:
        return client_rate(user.pk) or super().rate_for(user)


class MelderUserThrottle(_WindowThrottle):
    """Requests of one person (web session or their own token), scope ``user``."""

    scope = "user"

    def applies(self, user: Any) -> bool:
        return not user.is_api_client


THROTTLES = [PartnerClientThrottle, MelderUserThrottle]


def form_post_allowed(request: Any) -> bool:
    """The same per-user limit for posting the web form."""
    return MelderUserThrottle().allow_request(request, None)
