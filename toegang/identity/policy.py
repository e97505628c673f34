"""The one login policy of every entrance: password, second factor, API token.

* **Per account**: ``LOGIN_FAILURE_LIMIT`` failures (wrong password or wrong code)
  within ``LOGIN_FAILURE_WINDOW_SECONDS`` lock that account; a successful login
  resets its counter.
* **Per client address**: the address counts the *distinct accounts* that failed
  from it (password spraying), not the attempts. When ``LOGIN_IP_FAILURE_LIMIT``
  accounts failed, the address is locked for every account that has not logged in
  successfully from it before. So five wrong passwords on one account lock that
  account only; a colleague behind the same address still logs in. A success takes
  the account out of the address's failure set.
* **The client address** is ``REMOTE_ADDR``. Behind a proxy, uvicorn rewrites it
  from ``X-Forwarded-For`` only for the proxies in ``TRUSTED_PROXIES``
  (``forwarded_allow_ips``, see the ``serve`` command); a header from anyone else
  is ignored.

Counters live in the cache (Redis in production), keyed by digests: no user name
or address is stored in a key.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from audit.models import Actie, Doel, Uitkomst
from audit.services import record
from toegang.logging import get_logger
from toegang.models import User

log = get_logger(__name__)

#: How long an address remembers an account that logged in from it.
KNOWN_PAIR_SECONDS = 30 * 24 * 3600
#: How long a process trusts that a pair it stored as known is still known (the cache
#: keeps it for ``KNOWN_PAIR_SECONDS``): a token request of a known pair then needs no
#: cache round trip at all, since a known pair is never locked.
KNOWN_PAIR_LOCAL_SECONDS = 300.0
_known_here: dict[str, float] = {}
_known_lock = threading.Lock()


def _digest(value: str) -> str:
    return hashlib.sha256(value.lower().encode("utf-8")).hexdigest()[:32]


def client_ip(request: HttpRequest | Any) -> str:
    """The client address as the ASGI server saw it (after trusted-proxy rewriting)."""
    return request.META.get("REMOTE_ADDR", "") or "onbekend"


def _account_key(username: str) -> str:
    return f"login:account:{_digest(username)}"


def _ip_key(ip: str) -> str:
    return f"login:ip:{_digest(ip)}"


def _known_key(ip: str, username: str) -> str:
    return f"login:known:{_digest(ip)}:{_digest(username)}"


def _window() -> int:
    return int(settings.LOGIN_FAILURE_WINDOW_SECONDS)


def account_locked(username: str) -> bool:
    return int(cache.get(_account_key(username)) or 0) >= settings.LOGIN_FAILURE_LIMIT


def ip_locked_for(ip: str, username: str) -> bool:
    """Whether ``ip`` is locked for ``username`` (never for an account known there)."""
    failed: set[str] = cache.get(_ip_key(ip)) or set()
    if len(failed) < settings.LOGIN_IP_FAILURE_LIMIT:
        return False
    return cache.get(_known_key(ip, username)) is None


def is_locked(request: HttpRequest, username: str) -> bool:
    return account_locked(username) or ip_locked_for(client_ip(request), username)


def register_failure(request: HttpRequest, username: str) -> None:
    key = _account_key(username)
    if not cache.add(key, 1, timeout=_window()):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=_window())
    ip_key = _ip_key(client_ip(request))
    failed: set[str] = cache.get(ip_key) or set()
    if len(failed) <= 4 * settings.LOGIN_IP_FAILURE_LIMIT:  # bounded
        failed.add(_digest(username))
        cache.set(ip_key, failed, timeout=_window())


def register_success(request: HttpRequest, username: str) -> None:
    ip = client_ip(request)
    cache.delete(_account_key(username))
    ip_key = _ip_key(ip)
    failed: set[str] | None = cache.get(ip_key)
    if failed and _digest(username) in failed:
        failed.discard(_digest(username))
        cache.set(ip_key, failed, timeout=_window())
    cache.set(_known_key(ip, username), 1, timeout=KNOWN_PAIR_SECONDS)


def token_check(request: Any, token: Any, raw: str, *, entrance: str) -> bool:
    """The policy for an API token (the API and the websocket): may this request use it?

    A wrong or revoked token names no account; it counts for the client address as a
    pseudo-account of its own (one stale token retried is one), so spraying tokens from one address
    locks that address like spraying passwords does. A valid token is refused only
    there, and only when its user never used that address before (as for a login).
    Every refusal is audited; a success is not (each audit record of the request
    names the token already).
    """
    ip = client_ip(request)
    if token is None:
        register_failure(request, f"token:{raw}")  # stored as a digest only
        audit_failure(request, "", reden=f"{entrance}: ongeldig of ingetrokken token")
        return False
    username = token.user.get_username()
    known = _known_key(ip, username)
    now = time.monotonic()
    if _known_here.get(known, 0.0) > now:
        return True
    if ip_locked_for(ip, username):
        audit_failure(request, username, reden=f"{entrance}: geblokkeerd na te veel pogingen")
        return False
    cache.add(known, 1, timeout=KNOWN_PAIR_SECONDS)
    with _known_lock:
        if len(_known_here) > 10_000:  # bounded: one entry per active token user and address
            _known_here.clear()
        _known_here[known] = now + KNOWN_PAIR_LOCAL_SECONDS
    return True


def audit_failure(request: HttpRequest, username: str, *, reden: str) -> None:
    """Record a refused login; the user name is kept only when the account exists."""
    known = User.objects.filter(username__iexact=username).first() if username else None
    record(
        actor=known,
        actie=Actie.LOGIN_FAILURE,
        doel=Doel.AUTHENTICATIE,
        uitkomst=Uitkomst.DENIED,
        reden=reden,
        request=request,
    )
    log.info("login_failed", user_id=known.pk if known else None, reden=reden)


def audit_success(request: HttpRequest, user: Any, *, reden: str = "") -> None:
    record(actor=user, actie=Actie.LOGIN, doel=Doel.AUTHENTICATIE, reden=reden, request=request)
    log.info("login", user_id=user.pk, rol=user.rol)
