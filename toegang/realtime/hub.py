"""Fan-out per server process: one channel-layer message per event, dispatched locally.

Sending an event to each recipient's ``user.<id>`` group costs one layer operation
per recipient (several Redis round trips each on channels_redis). In ``fanout``
delivery (the default, see docs/events.md) the relay sends one ``domain.fanout``
message with the recipients' ids to the group ``live.fanout``; every ASGI process
has one listener in that group that hands the event to its own consumers of those
users. Other messages (revoke, presence, close) still use the ``user.<id>`` groups.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol

from channels.layers import get_channel_layer

from toegang.logging import get_logger

log = get_logger(__name__)

FANOUT_GROUP = "live.fanout"
#: Re-join the group well before channels_redis' group expiry (a day by default).
REJOIN_SECONDS = 600.0


class _Consumer(Protocol):
    user_id: int

    async def domain_event(self, message: dict[str, Any]) -> None: ...


class _Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.consumers: dict[int, set[_Consumer]] = {}
        self.task: asyncio.Task[None] | None = None
        self.joined = asyncio.Event()

    async def attach(self, consumer: _Consumer) -> None:
        """Register ``consumer``; returns once this process listens (or after 5 s)."""
        self.consumers.setdefault(consumer.user_id, set()).add(consumer)
        if self.task is None or self.task.done():
            self.joined = asyncio.Event()
            self.task = self.loop.create_task(self._listen())
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.joined.wait(), 5.0)

    def detach(self, consumer: _Consumer) -> None:
        users = self.consumers.get(consumer.user_id)
        if users is not None:
            users.discard(consumer)
            if not users:
                del self.consumers[consumer.user_id]
        if not self.consumers and self.task is not None:
            self.task.cancel()
            self.task = None

    async def _listen(self) -> None:
        layer = get_channel_layer()
        delay = 0.5
        while True:
            channel = ""
            try:
                channel = await layer.new_channel()
                await layer.group_add(FANOUT_GROUP, channel)
                self.joined.set()
                delay = 0.5
                while True:
                    try:
                        message = await asyncio.wait_for(layer.receive(channel), REJOIN_SECONDS)
                    except TimeoutError:
                        await layer.group_add(FANOUT_GROUP, channel)
                        continue
                    if message.get("type") == "domain.fanout":
                        await self._dispatch(message)
            except asyncio.CancelledError:
                if channel:
                    with contextlib.suppress(Exception):
                        await layer.group_discard(FANOUT_GROUP, channel)
                raise
            except Exception as exc:  # Redis away: try again, consumers stay connected
                log.warning("fanout_listener_failed", error=type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(30.0, delay * 2)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        targets = [
            consumer
            for user_id in message.get("user_ids", ())
            for consumer in self.consumers.get(user_id, ())
        ]
        for consumer in targets:
            try:
                await consumer.domain_event(message)
            except Exception as exc:  # one closed socket must not stop the others
                log.debug("fanout_send_failed", error=type(exc).__name__)


_hubs: dict[asyncio.AbstractEventLoop, _Hub] = {}


def hub() -> _Hub:
    loop = asyncio.get_running_loop()
    for other in [existing for existing in _hubs if existing.is_closed()]:
        del _hubs[other]
    if loop not in _hubs:
        _hubs[loop] = _Hub(loop)
    return _hubs[loop]
