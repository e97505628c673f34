"""Background tasks of the realtime layer: stop them so that cancellation is never lost.

Two rules keep a server (uvicorn's shutdown, a test's event loop) from waiting
forever on a task that was asked to stop:

* a loop that catches ``Exception`` to retry must first ask :func:`cancelling`,
  because some libraries turn a cancellation into another exception;
* a task that stops a child awaits it with :func:`stop`, which swallows the
  child's ``CancelledError`` but never a new one of its own.

``asyncio.wait_for`` is avoided on purpose: on Python 3.11 it returns the inner
result when a cancellation arrives in the same loop iteration as that result,
so the caller silently carries on (fixed in 3.12 by building it on ``timeout``).
"""

from __future__ import annotations

import asyncio

from toegang.logging import get_logger

__all__ = ["cancelling", "stop"]

log = get_logger(__name__)


def cancelling() -> bool:
    """True when the running task has been asked to cancel (and not un-cancelled)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def stop(task: asyncio.Task[None] | None) -> None:
    """Cancel ``task`` and wait until it has finished; its errors end with it.

    Safe in cleanup code of a task that is itself being cancelled: only a
    cancellation that arrives *while waiting here* propagates.
    """
    current = asyncio.current_task()
    if task is None or task is current:
        return
    before = current.cancelling() if current is not None else 0
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        if current is not None and current.cancelling() > before:
            raise
    except Exception as exc:  # stopping is the point; say what it died of
        log.warning("realtime_task_failed", task=task.get_name(), error=type(exc).__name__)
