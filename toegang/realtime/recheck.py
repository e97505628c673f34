"""The periodic re-check of a process's open sockets, all of them at once.

Every socket is checked at least every ``LIVE_RECHECK_SECONDS`` and just after the
moment its session would time out (``validity``). Each socket checking itself cost one query
per socket per interval (333 queries/s for 10,000 sockets on the one database
thread). The hub instead keeps one schedule for all of its sockets, on one grid of
the interval, and, whenever some are due, checks those together with
:func:`validity.seconds_left_among` (a few queries, one thread hop); a socket whose
credentials no longer hold is closed with 4401 within the interval, as before.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Awaitable, Callable
from typing import Protocol

from channels.db import database_sync_to_async

from toegang.logging import get_logger
from toegang.realtime import validity
from toegang.realtime.tasks import cancelling

log = get_logger(__name__)

#: Seconds after a session's deadline at which its socket is checked (and closed).
DEADLINE_MARGIN = 0.2
#: A failed check (database away) is tried again after this many seconds.
RETRY_SECONDS = 1.0

_seconds_left_among = database_sync_to_async(validity.seconds_left_among)


class Checked(Protocol):
    credentials: validity.Credentials

    async def close_revoked(self) -> None: ...


class Schedule:
    """When each socket is next due: a heap with lazy removal (latest entry wins)."""

    def __init__(self) -> None:
        self.members: set[Checked] = set()
        self.due_at: dict[Checked, float] = {}
        self._heap: list[tuple[float, int, Checked]] = []
        self._order = itertools.count()
        self.changed = asyncio.Event()

    def add(self, socket: Checked, at: float) -> None:
        self.members.add(socket)
        self.plan(socket, at)

    def plan(self, socket: Checked, at: float) -> None:
        """Check ``socket`` at ``at`` (ignored once it left: a check may outlast it)."""
        if socket not in self.members:
            return
        earlier = not self._heap or at < self._heap[0][0]
        self.due_at[socket] = at
        heapq.heappush(self._heap, (at, next(self._order), socket))
        if earlier:
            self.changed.set()

    def forget(self, socket: Checked) -> None:
        self.members.discard(socket)
        self.due_at.pop(socket, None)

    def clear(self) -> None:
        self.members.clear()
        self.due_at.clear()
        self._heap.clear()

    def next_at(self) -> float:
        self._drop_stale()
        return self._heap[0][0] if self._heap else math.inf

    def take_due(self, now: float) -> list[Checked]:
        due = []
        while self._heap and self._heap[0][0] <= now:
            at, _, socket = heapq.heappop(self._heap)
            if self.due_at.get(socket) == at:
                del self.due_at[socket]
                due.append(socket)
        return due

    def _drop_stale(self) -> None:
        while self._heap and self.due_at.get(self._heap[0][2]) != self._heap[0][0]:
            heapq.heappop(self._heap)


def next_check_at(now: float, left: float = math.inf) -> float:
    """When to check next a socket with ``left`` seconds to live, checked at ``now``.

    The periodic checks fall on a grid of ``LIVE_RECHECK_SECONDS`` (never later than
    that after ``now``), so all the sockets of a process come due together and are
    checked in one round; a session's deadline is checked just after it passes.
    """
    interval = validity.recheck_seconds()
    grid = math.floor((now + interval) / interval) * interval
    return min(grid, now + left + DEADLINE_MARGIN)


async def run(
    schedule: Schedule,
    clock: Callable[[], float],
    close: Callable[[Awaitable[None]], Awaitable[None]],
) -> None:
    """Check the due sockets together, close those whose credentials no longer hold."""
    while True:
        schedule.changed.clear()
        wait = schedule.next_at() - clock()
        if wait > 0:
            try:
                async with asyncio.timeout(None if math.isinf(wait) else wait):
                    await schedule.changed.wait()
                continue  # a socket is due earlier than planned: compute again
            except TimeoutError:
                pass
        due = schedule.take_due(clock())
        if not due:
            continue
        try:
            left = await _seconds_left_among([socket.credentials for socket in due])
        except Exception as exc:
            if cancelling():
                raise
            log.warning("live_recheck_failed", sockets=len(due), error=type(exc).__name__)
            for socket in due:
                schedule.plan(socket, clock() + RETRY_SECONDS)
            continue
        now = clock()
        for socket in due:
            remaining = left.get(socket.credentials, 0.0)
            if remaining <= 0:
                await close(socket.close_revoked())
            else:
                schedule.plan(socket, next_check_at(now, remaining))
