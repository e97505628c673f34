"""Live updates over ``/ws/``: the websocket consumer, presence and revocation.

Services call :func:`revoke` when access to an object ends; the hooks in
``toegang.revocation`` call :func:`disconnect_user`, :func:`disconnect_token` and
:func:`disconnect_session` when a user, token or session stops being valid.
See docs/events.md for the protocol.
"""

from __future__ import annotations

from toegang.realtime.revoke import (
    CLOSE_REVOKED,
    disconnect_session,
    disconnect_token,
    disconnect_user,
    revoke,
)

__all__ = ["CLOSE_REVOKED", "disconnect_session", "disconnect_token", "disconnect_user", "revoke"]
