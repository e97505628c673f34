"""Rate limits of the melder endpoints: per partner API client and per (web) user.

Counters live in the cache (Redis in production), keyed by user id, so a flood
from one client is turned away before it touches the database beyond the token
lookup, and the consultants' side, which has no such limit, is not slowed by it.
A beheerder can give one client its own rate (``PartnerClient.rate_limit``).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from signalen.models import PartnerClient

_RATE_CACHE_SECONDS = 60


def _rate_cache_key(user_id: int) -> str:
    return f"signalen:client-rate:{user_id}"


def client_rate(user_id: int) -> str:
    """The client's own rate ("" for the default), cached for a minute."""
    key = _rate_cache_key(user_id)
    rate = cache.get(key)
    if rate is None:
        rate = (
            PartnerClient.objects.filter(user_id=user_id)
            .values_list("rate_limit", flat=True)
            .first()
        ) or ""
        cache.set(key, rate, _RATE_CACHE_SECONDS)
    return str(rate)


def forget_client_rate(user_id: int) -> None:
    cache.delete(_rate_cache_key(user_id))


class PartnerClientThrottle(SimpleRateThrottle):
    """Requests of one partner API client (scope ``api_client`` or its own rate)."""

    scope = "api_client"

    def allow_request(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_api_client):
            return True
        self.rate = client_rate(user.pk) or self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class MelderUserThrottle(SimpleRateThrottle):
    """Requests of one person (web session or their own token), scope ``user``."""

    scope = "user"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = request.user
        if not (user and user.is_authenticated) or user.is_api_client:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


THROTTLES = [PartnerClientThrottle, MelderUserThrottle]


def form_post_allowed(request: Any) -> bool:
    """The same per-user limit for posting the web form."""
    return MelderUserThrottle().allow_request(request, None)  # type: ignore[arg-type]
