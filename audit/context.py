"""The request context of every audit record: one place sets it, ``record`` reads it.

``RequestIdMiddleware`` binds it for each HTTP request, the websocket consumer
for its connection, a management command may bind its own; every record
written meanwhile (by any service, however deep) carries the request id, the
client address, the user agent and the API token, without passing the request
down. Explicit values passed to ``record(request=...)`` still win.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

_MAX_UA = 300


@dataclass(frozen=True)
class AuditContext:
    request_id: str = ""
    ip_adres: str | None = None
    user_agent: str = ""
    api_token_id: Any = None

    def filled_from(self, other: AuditContext) -> AuditContext:
        """This context with its blanks taken from ``other``."""
        return replace(
            self,
            request_id=self.request_id or other.request_id,
            ip_adres=self.ip_adres or other.ip_adres,
            user_agent=self.user_agent or other.user_agent,
            api_token_id=self.api_token_id or other.api_token_id,
        )


EMPTY = AuditContext()
_current: ContextVar[AuditContext] = ContextVar("audit_context", default=EMPTY)


def current() -> AuditContext:
    return _current.get()


@contextmanager
def bound(context: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def bind(context: AuditContext) -> None:
    """Set the context for the rest of this task (a websocket connection's own task)."""
    _current.set(context)


def from_request(request: Any) -> AuditContext:
    """The context of an HTTP request (``REMOTE_ADDR`` is the client as the proxy set it)."""
    meta = getattr(request, "META", {}) or {}
    token = getattr(request, "auth", None)
    return AuditContext(
        request_id=str(getattr(request, "request_id", "") or ""),
        ip_adres=meta.get("REMOTE_ADDR") or None,
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:_MAX_UA],
        api_token_id=getattr(token, "pk", None) if token is not None else None,
    )


def from_scope(scope: dict[str, Any], request_id: str) -> AuditContext:
    """The context of a websocket connection (ASGI scope)."""
    headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
    client = scope.get("client") or (None, None)
    return AuditContext(
        request_id=request_id,
        ip_adres=client[0] or None,
        user_agent=headers.get("user-agent", b"").decode("latin-1")[:_MAX_UA],
    )
