"""``asyncio.wait_for`` as installed by ``toegang.asyncio_compat`` keeps every cancellation."""

from __future__ import annotations

import asyncio
import sys

import pytest

from toegang import asyncio_compat


def _cancel_as_the_result_arrives(wait_for) -> str:
    """Cancel a task in ``wait_for`` in the very iteration its awaitable gets its result."""

    async def scenario() -> str:
        loop = asyncio.get_running_loop()
        gate: asyncio.Future[str] = loop.create_future()

        async def inner() -> str:
            return await gate

        waiting = asyncio.create_task(wait_for(inner(), 10))
        await asyncio.sleep(0)  # ``waiting`` is now inside wait_for
        gate.set_result("resultaat")
        assert waiting.cancel()
        try:
            return await waiting
        except asyncio.CancelledError:
            return "geannuleerd"

    return asyncio.run(scenario())


def test_the_installed_wait_for_keeps_a_cancellation_that_races_the_result():
    assert asyncio.wait_for is asyncio_compat.wait_for or sys.version_info >= (3, 12)
    assert _cancel_as_the_result_arrives(asyncio.wait_for) == "geannuleerd"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12 fixed wait_for itself")
def test_python_311s_own_wait_for_loses_that_cancellation():
    # Why the replacement exists: this is the hang of a cancelled channels_redis receive.
    assert _cancel_as_the_result_arrives(asyncio_compat.original_wait_for) == "resultaat"


def test_wait_for_still_returns_results_and_times_out():
    async def slow() -> str:
        await asyncio.sleep(5)
        return "te laat"

    async def scenario() -> tuple[str, bool]:
        result = await asyncio.wait_for(asyncio.sleep(0, "op tijd"), 1)
        try:
            await asyncio.wait_for(slow(), 0.01)
        except TimeoutError:
            return result, True
        return result, False

    assert asyncio.run(scenario()) == ("op tijd", True)


def test_wait_for_cancels_what_it_waited_for_on_expiry():
    async def scenario() -> bool:
        started = asyncio.Event()
        cancelled = asyncio.Event()

        async def inner() -> None:
            started.set()
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        with pytest.raises(TimeoutError):
            await asyncio.wait_for(inner(), 0.01)
        return started.is_set() and cancelled.is_set()

    assert asyncio.run(scenario()) is True
