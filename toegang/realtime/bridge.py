"""Which event loop a sender must use to reach this process's consumers.

The in-memory channel layer (embedded default, tests) keeps asyncio queues bound
to the loop of the ASGI server. A relay running in another thread must therefore
hand its sends to that loop. Consumers note their loop when they connect.
Redis-backed layers work from any loop: the relay keeps its own.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.layers import InMemoryChannelLayer

_consumer_loop: asyncio.AbstractEventLoop | None = None


def note_consumer_loop() -> None:
    """Remember the running loop of a consumer (call from ``connect``)."""
    global _consumer_loop
    _consumer_loop = asyncio.get_running_loop()


def loop_for(layer: Any) -> asyncio.AbstractEventLoop | None:
    """The consumers' loop when ``layer`` only works there, else None (use your own)."""
    loop = _consumer_loop
    if not isinstance(layer, InMemoryChannelLayer) or loop is None:
        return None
    if loop.is_closed() or not loop.is_running():
        return None
    return loop
