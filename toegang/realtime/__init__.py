"""Live updates over ``/ws/``: the websocket consumer, presence and revocation.

Services call :func:`revoke` when access to an object ends; see docs/events.md
for the websocket protocol.
"""

from __future__ import annotations

from toegang.realtime.revoke import disconnect_user, revoke

__all__ = ["disconnect_user", "revoke"]
