"""Channel layers for fault tests: a real layer pointed at a closed port, and recorders."""

from __future__ import annotations

import socket
import threading
from typing import Any

from channels_redis.core import RedisChannelLayer

from channels.layers import InMemoryChannelLayer


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_down_layer() -> RedisChannelLayer:
    """channels_redis as configured in production, with Redis unreachable."""
    return RedisChannelLayer(hosts=[f"redis://127.0.0.1:{closed_port()}/3"])


class RecordingLayer(InMemoryChannelLayer):
    """A real in-memory layer that also records every group send, in send order."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        with self._lock:
            if message.get("type") == "domain.fanout":
                # What each recipient's consumers get from their process's hub.
                single = {k: v for k, v in message.items() if k != "user_ids"}
                single["type"] = "domain.event"
                self.sent.extend((f"user.{uid}", single) for uid in message["user_ids"])
            else:
                self.sent.append((group, message))
        await super().group_send(group, message)

    def event_ids(self) -> list[int]:
        return [m["event_id"] for _, m in self.sent]


class FailingLayer(RecordingLayer):
    """Fails the first send of the listed event ids (then works), like a Redis hiccup."""

    def __init__(self, fail_once: set[int], **kwargs: Any):
        super().__init__(**kwargs)
        self.fail_once = set(fail_once)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        if message.get("event_id") in self.fail_once:
            self.fail_once.discard(message["event_id"])
            raise ConnectionError("simulated send failure")
        await super().group_send(group, message)


class RefusingLayer(RecordingLayer):
    """Refuses every message with an error of the message, not of the connection."""

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        raise TypeError("can not serialize")
