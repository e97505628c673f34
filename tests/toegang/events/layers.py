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
        #: The layer messages themselves (a ``domain.fanout`` carries a round's events).
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        with self._lock:
            self.messages.append((group, message))
            if message.get("type") == "domain.fanout":
                # What each recipient's consumers get from their process's hub.
                for event in message["events"]:
                    single = {k: v for k, v in event.items() if k != "user_ids"}
                    self.sent.extend((f"user.{uid}", single) for uid in event["user_ids"])
            else:
                self.sent.append((group, message))
        await super().group_send(group, message)

    def event_ids(self) -> list[int]:
        return [m["event_id"] for _, m in self.sent]


class FailingLayer(RecordingLayer):
    """Refuses a message with the listed event ids until one was sent on its own, once.

    Like a message the layer will not take once (too big, a hiccup of the server):
    a round's ``domain.fanout`` that carries such an event is refused, and so is the
    first send of that event on its own; after that it goes through.
    """

    def __init__(self, fail_once: set[int], **kwargs: Any):
        super().__init__(**kwargs)
        self.fail_once = set(fail_once)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        events = message.get("events", [message])
        if any(event.get("event_id") in self.fail_once for event in events):
            if len(events) == 1:
                self.fail_once.discard(events[0]["event_id"])
            raise ValueError("simulated refusal")
        await super().group_send(group, message)


class RefusingLayer(RecordingLayer):
    """Refuses every message with an error of the message, not of the connection."""

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        raise TypeError("can not serialize")
