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


class _TokenOrSession(AuthMiddleware):
    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        headers = dict(scope.get("headers", []))
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        parts = authorization.split()
        if len(parts) == 2 and parts[0] in ("Bearer", "Token"):
            token = await _token_for(parts[1], scope)
            if token is not None:
                scope["user"]._wrapped = token.user
                scope["api_token_id"] = str(token.pk)  # its revocation closes the socket
                return
            from django.contrib.auth.models import AnonymousUser

            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)
        user = scope["user"]._wrapped
        if user.is_authenticated and not await _session_allowed(scope["session"], user):
            from django.contrib.auth.models import AnonymousUser

            scope["user"]._wrapped = AnonymousUser()


def TokenOrSessionAuthMiddleware(inner: Any) -> Any:
    return CookieMiddleware(SessionMiddleware(_TokenOrSession(inner)))


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
