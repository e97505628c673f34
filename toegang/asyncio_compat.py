"""Python 3.11's ``asyncio.wait_for`` can lose a cancellation; use 3.12's behaviour.

On 3.11 ``wait_for`` runs the awaitable in a task of its own. When the waiting
task is cancelled in the same event-loop iteration in which that inner task
finishes, ``wait_for`` returns the inner result and the cancellation is gone
(CPython gh-86296; 3.12 rebuilt ``wait_for`` on ``asyncio.timeout``).

redis-py wraps every socket write in ``wait_for`` when a socket timeout is set
(its default), so a channels_redis ``receive`` that is cancelled while its
connection sends a command, typically the handshake of a fresh connection right
after a cancelled read closed the old one, goes on with a blocking pop every
five seconds, for ever. Whoever waits for it waits for ever: channels'
``await_many_dispatch`` after a disconnect, uvicorn's shutdown, or the loop
teardown of a test (``asyncio.runners._cancel_all_tasks``).

:func:`install` (called from ``ToegangConfig.ready``) replaces
``asyncio.wait_for`` on Python < 3.12 by :func:`wait_for`, which awaits inside
``asyncio.timeout``: same results and the same ``TimeoutError`` on expiry, and
an outside cancellation always propagates. Python 3.12+ is left alone.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["install", "wait_for"]

T = TypeVar("T")

#: The interpreter's own ``asyncio.wait_for``, as found before :func:`install`.
original_wait_for = asyncio.tasks.wait_for


async def wait_for(aw: Awaitable[T], timeout: float | None) -> T:
    """Await ``aw``; on expiry cancel it and raise ``TimeoutError``."""
    if timeout is None:
        return await aw
    async with asyncio.timeout(timeout):
        return await aw


def install() -> bool:
    """Use :func:`wait_for` as ``asyncio.wait_for`` (Python < 3.12); True if installed."""
    if sys.version_info >= (3, 12):
        return False
    asyncio.wait_for = wait_for  # type: ignore[assignment]
    asyncio.tasks.wait_for = wait_for  # type: ignore[assignment]
    return True
