"""Fan-out per server process: one channel-layer message per event, dispatched locally.

Sending an event to each recipient's ``user.<id>`` group costs one layer operation
per recipient (several Redis round trips each on channels_redis). In ``fanout``
delivery (the default, see docs/events.md) the relay sends one ``domain.fanout``
message per round, its events each with their recipients' ids, to the group
``live.fanout``; every ASGI process has one listener in that group that hands each
event to its own consumers of those users. Other messages (revoke, presence, close)
still use the ``user.<id>`` groups.

The listener only queues what arrives; a dispatcher task hands it out in batches:
everything that arrived while the previous batch was delivered goes out together,
after one check of all its sockets' credentials (``validity.valid_among``, a few
queries in one thread hop), and each event is serialized once for all its sockets.
So the cost per event stays flat as sockets and rate grow, instead of one database
round trip per socket per event. The hub also re-checks its idle sockets' credentials
together (``toegang.realtime.recheck``), instead of one query per socket per interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from toegang.logging import get_logger
from toegang.outage import Outage
from toegang.realtime import recheck, validity
from toegang.realtime.messages import client_text
from toegang.realtime.tasks import cancelling, stop

log = get_logger(__name__)

FANOUT_GROUP = "live.fanout"
#: Re-join the group well before channels_redis' group expiry (a day by default).
REJOIN_SECONDS = 600.0
#: How long a connecting consumer waits for this process's listener to join.
JOIN_SECONDS = 5.0
#: How long a stopping listener may take to leave the group.
LEAVE_SECONDS = 2.0
#: Back-off between attempts to listen again while Redis is away; capped low, so the
#: fan-out resumes within about a second of Redis' return.
RETRY_FIRST, RETRY_LAST = 0.25, 1.0


#: Events per delivery batch at most (a backlog is worked off in slices of this size).
BATCH_MAX = 500

_valid_among = database_sync_to_async(validity.valid_among)


class _Consumer(recheck.Checked, Protocol):
    user_id: int

    async def forward_text(self, event_id: int, text: str) -> None: ...


class _Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.consumers: dict[int, set[_Consumer]] = {}
        self.task: asyncio.Task[None] | None = None
        self.joined = asyncio.Event()
        self.outage = Outage("channel_layer")
        self.pending: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.rechecks = recheck.Schedule()

    async def attach(self, consumer: _Consumer, seconds_left: float = math.inf) -> None:
        """Register ``consumer``; returns once this process listens (or after 5 s).

        ``seconds_left``: until its credentials lapse by themselves (a session's
        deadline); it is re-checked then, or every ``LIVE_RECHECK_SECONDS`` before.
        """
        self.consumers.setdefault(consumer.user_id, set()).add(consumer)
        self.rechecks.add(consumer, recheck.next_check_at(self.loop.time(), seconds_left))
        if self.task is None or self.task.done():
            self.joined = asyncio.Event()
            self.task = self.loop.create_task(self._listen(), name="realtime.fanout")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(JOIN_SECONDS):
                await self.joined.wait()

    async def detach(self, consumer: _Consumer) -> None:
        """Forget ``consumer``; the last one out stops the listener and waits for it."""
        self.rechecks.forget(consumer)
        users = self.consumers.get(consumer.user_id)
        if users is not None:
            users.discard(consumer)
            if not users:
                del self.consumers[consumer.user_id]
        if not self.consumers and self.task is not None:
            task, self.task = self.task, None
            await stop(task)

    async def close(self) -> None:
        """Stop listening, whoever is still attached (server or test loop shutting down)."""
        self.consumers.clear()
        self.rechecks.clear()
        task, self.task = self.task, None
        await stop(task)

    async def _listen(self) -> None:
        dispatcher = asyncio.create_task(self._dispatch_loop(), name="realtime.fanout.dispatch")
        rechecker = asyncio.create_task(
            recheck.run(self.rechecks, self.loop.time, _quietly), name="realtime.recheck"
        )
        try:
            await self._listen_again_and_again()
        finally:
            await stop(rechecker)
            await stop(dispatcher)

    async def _listen_again_and_again(self) -> None:
        layer = get_channel_layer()
        delay = RETRY_FIRST
        while True:
            started = self.loop.time()
            try:
                await self._serve(layer)
            except Exception as exc:  # Redis away: try again, consumers stay connected
                if cancelling():
                    raise
                self.outage.failed(exc)  # logged once per outage, not per attempt
                if self.loop.time() - started > 30.0:
                    delay = RETRY_FIRST  # it worked for a while: a new outage
                await asyncio.sleep(delay)
                delay = min(RETRY_LAST, delay * 2)

    async def _serve(self, layer: Any) -> None:
        """Join ``live.fanout`` with a fresh channel and dispatch until cancelled or failed.

        The receive is never cancelled by a timer (a cancelled receive may drop a
        message that had just arrived); a sibling task keeps the membership fresh.
        """
        channel = await layer.new_channel()
        await layer.group_add(FANOUT_GROUP, channel)
        rejoin = asyncio.create_task(_rejoin(layer, channel), name="realtime.fanout.rejoin")
        self.outage.succeeded()
        try:
            self.joined.set()
            while True:
                message = await layer.receive(channel)
                if message.get("type") == "domain.fanout":
                    self.pending.extend(message.get("events", ()))
                    self.arrived.set()
        finally:
            await stop(rejoin)
            await _leave(layer, channel)

    async def _dispatch_loop(self) -> None:
        while True:
            await self.arrived.wait()
            batch, self.pending = self.pending[:BATCH_MAX], self.pending[BATCH_MAX:]
            if not self.pending:
                self.arrived.clear()
            try:
                await self._deliver(batch)
            except Exception as exc:  # the database away: these events are not sent
                if cancelling():
                    raise
                log.warning("fanout_batch_failed", events=len(batch), error=type(exc).__name__)

    async def _deliver(self, batch: list[dict[str, Any]]) -> None:
        """Check every addressed socket once, then send each event to the valid ones."""
        addressed = [
            (message, [c for u in message.get("user_ids", ()) for c in self.consumers.get(u, ())])
            for message in batch
        ]
        sockets = {consumer for _, targets in addressed for consumer in targets}
        if not sockets:
            return
        valid = await _valid_among([consumer.credentials for consumer in sockets])
        revoked = {consumer for consumer in sockets if consumer.credentials not in valid}
        for consumer in revoked:
            await _quietly(consumer.close_revoked())
        for message, targets in addressed:
            text = client_text(message)
            event_id = int(message["event_id"])
            for consumer in targets:
                if consumer in revoked:
                    continue
                try:  # as _quietly, without a coroutine more per socket and event
                    await consumer.forward_text(event_id, text)
                except Exception as exc:
                    if cancelling():
                        raise
                    log.debug("fanout_send_failed", error=type(exc).__name__)


async def _quietly(step: Any) -> None:
    """One closed socket must not stop the others."""
    try:
        await step
    except Exception as exc:
        if cancelling():
            raise
        log.debug("fanout_send_failed", error=type(exc).__name__)


async def _rejoin(layer: Any, channel: str) -> None:
    """Re-join the group well before it expires; a failure here is retried next round."""
    while True:
        await asyncio.sleep(REJOIN_SECONDS)
        try:
            await layer.group_add(FANOUT_GROUP, channel)
        except Exception as exc:
            if cancelling():
                raise
            log.warning("fanout_rejoin_failed", error=type(exc).__name__)


async def _leave(layer: Any, channel: str) -> None:
    """Leave the group on the way out, briefly: a dead channel's messages expire anyway."""
    try:
        async with asyncio.timeout(LEAVE_SECONDS):
            await layer.group_discard(FANOUT_GROUP, channel)
    except Exception as exc:  # includes TimeoutError; a cancellation still propagates
        log.debug("fanout_leave_failed", error=type(exc).__name__)


_hubs: dict[asyncio.AbstractEventLoop, _Hub] = {}


def hub() -> _Hub:
    loop = asyncio.get_running_loop()
    for other in [existing for existing in _hubs if existing.is_closed()]:
        del _hubs[other]
    if loop not in _hubs:
        _hubs[loop] = _Hub(loop)
    return _hubs[loop]
