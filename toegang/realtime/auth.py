"""Websocket authentication: the browser's session, or an API token in ``Authorization``."""

from __future__ import annotations

import uuid
from typing import Any

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings

from audit import context as audit_context
from toegang.api.authentication import authenticate_token
from toegang.identity import policy


@database_sync_to_async
def _session_allowed(session: Any, user: Any) -> bool:
    """The same session rules as pages: not timed out, ended, or missing a second factor."""
    from toegang.identity import mfa, sessions

    if sessions.session_problem(session, user):
        return False
    return not mfa.second_factor_needed(user) or mfa.session_verified(session)


class _ScopeRequest:
    """What the login policy reads of a request (the client address), from a scope."""

    def __init__(self, scope: dict[str, Any]) -> None:
        client = scope.get("client") or ("", 0)
        self.META = {"REMOTE_ADDR": client[0]}


@database_sync_to_async
def _token_for(raw: str, scope: dict[str, Any]) -> Any:
    """The token under the login policy (wrong tokens count and are audited), or None."""
    token = authenticate_token(raw)
    with audit_context.bound(audit_context.from_scope(scope, uuid.uuid4().hex)):
        allowed = policy.token_check(_ScopeRequest(scope), token, raw, entrance="websocket")
    return token if allowed else None


def _bearer(scope: dict[str, Any]) -> str | None:
    """The API token in ``Authorization: Bearer|Token <token>``, if the client sent one."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            parts = value.decode("latin-1").split()
            if len(parts) == 2 and parts[0] in ("Bearer", "Token"):
                return parts[1]
            return None
    return None


class _Token:
    """A socket opened with an API token: no cookie or session layer around it.

    Channels' session layer wraps every message the server sends (it checks whether
    the session changed, each time); a token socket has no use for a session.
    """

    def __init__(self, inner: Any):
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], raw: str, receive: Any, send: Any) -> Any:
        from django.contrib.auth.models import AnonymousUser

        token = await _token_for(raw, scope)
        scope = dict(scope)
        if token is not None:
            scope["user"] = token.user
            scope["api_token_id"] = str(token.pk)  # its revocation closes the socket
        else:
            scope["user"] = AnonymousUser()
        return await self.inner(scope, receive, send)


class _Session(AuthMiddleware):
    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        await super().resolve_scope(scope)
        user = scope["user"]._wrapped
        if user.is_authenticated and not await _session_allowed(scope["session"], user):
            from django.contrib.auth.models import AnonymousUser

            scope["user"]._wrapped = AnonymousUser()


class _TokenOrSession:
    """An API token when ``Authorization`` names one, else the browser's session."""

    def __init__(self, inner: Any):
        self.token = _Token(inner)
        self.session = CookieMiddleware(SessionMiddleware(_Session(inner)))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        raw = _bearer(scope)
        if raw is not None:
            return await self.token(scope, raw, receive, send)
        return await self.session(scope, receive, send)


def TokenOrSessionAuthMiddleware(inner: Any) -> Any:
    return _TokenOrSession(inner)


class _BrowserOriginValidator(OriginValidator):
    """Checks ``Origin`` when it is sent; browsers always send it on a websocket.

    Cross-site websocket hijacking needs a victim's browser, which names the
    attacking page in ``Origin``; integrations (API token) send no ``Origin`` and
    are let through to authentication instead of being refused with a 403.
    """

    def valid_origin(self, parsed_origin: Any) -> bool:
        if parsed_origin is None:
            return True
        return bool(super().valid_origin(parsed_origin))


def AllowedHostsOriginValidator(inner: Any) -> Any:
    """Like Channels' validator of the same name, but lets clients without ``Origin`` in."""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return _BrowserOriginValidator(inner, allowed)
