"""Ending live feeds from services: after commit, to every open socket of the user."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync

from channels.layers import get_channel_layer
from django.db import transaction

from toegang.logging import get_logger
from toegang.realtime import bridge
from toegang.realtime.messages import user_group

log = get_logger(__name__)


def _send(user_id: int, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        loop = bridge.loop_for(layer)
        if loop is None:
            async_to_sync(layer.group_send)(user_group(user_id), message)
            return
        future = asyncio.run_coroutine_threadsafe(
            layer.group_send(user_group(user_id), message), loop
        )
        if not _on_loop(loop):
            future.result(timeout=5)
    except Exception as exc:  # access is enforced on every HTTP read regardless
        log.warning("realtime_send_failed", user_id=user_id, error=type(exc).__name__)


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
    transaction.on_commit(lambda: _send(user_id, message))


def disconnect_user(user_id: int) -> None:
    """Close every socket of ``user_id`` (deactivation, logout everywhere), after commit."""
    transaction.on_commit(lambda: _send(user_id, {"type": "live.close"}))
