"""Ending live feeds from services: after commit, to every open socket of the user."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync

from channels.layers import get_channel_layer
from django.db import transaction

from toegang.logging import get_logger
from toegang.realtime import bridge
from toegang.realtime.messages import session_group, token_group, user_group

log = get_logger(__name__)

#: The websocket close code for "your credentials no longer hold": log in again.
CLOSE_REVOKED = 4401


def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        loop = bridge.loop_for(layer)
        if loop is None:
            async_to_sync(layer.group_send)(group, message)
            return
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        if not _on_loop(loop):
            future.result(timeout=5)
    except Exception as exc:  # the consumers' own re-checks still end the feed
        log.warning("realtime_send_failed", group=group.split(".")[0], error=type(exc).__name__)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def revoke(user_id: int, aggregate_type: str, aggregate_id: Any) -> None:
    """Tell ``user_id``'s sockets that access to one object ended: they drop its watch.

    Call it from the service that ends access (handover, expiry, revocation); it
    is sent after the transaction commits. Domain events to the user stop by
    themselves, because the relay resolves recipients when it sends.
    """
    message = {
        "type": "live.revoke",
        "aggregate_type": aggregate_type,
        "aggregate_id": str(aggregate_id),
    }
    transaction.on_commit(lambda: _send(user_group(user_id), message))


def disconnect_user(user_id: int) -> None:
    """Close every socket of ``user_id`` (deactivation, role or team change), after commit."""
    message = {"type": "live.close", "code": CLOSE_REVOKED}
    transaction.on_commit(lambda: _send(user_group(user_id), message))


def disconnect_token(token_id: Any) -> None:
    """Close every socket opened with API token ``token_id`` (revoked, rotated), after commit."""
    message = {"type": "live.close", "code": CLOSE_REVOKED}
    transaction.on_commit(lambda: _send(token_group(token_id), message))


def disconnect_session(session_key: str) -> None:
    """Close every socket opened with browser session ``session_key`` (logout), after commit."""
    message = {"type": "live.close", "code": CLOSE_REVOKED}
    transaction.on_commit(lambda: _send(session_group(session_key), message))
