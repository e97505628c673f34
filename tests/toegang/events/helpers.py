"""Test helpers for the event platform, also for other apps' tests.

    from tests.toegang.events.helpers import captured_events

    with captured_events() as events:
        casus_assign_aanspreekpunt(casus=casus, consulent=c, by=teamleider)
    assert [e.event_type for e in events] == ["casus.aanspreekpunt_gewijzigd"]

A service that changes state without emitting its event makes such a test fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, channel_layers
from channels.testing.websocket import WebsocketCommunicator
from django.db import transaction
from django.db.models import Max

from toegang.events import registry
from toegang.events.models import OutboxEvent
from toegang.realtime.hub import hub

#: An aggregate type of the tests' own, so they never depend on a domain app.
PROEF = "proef"
registry.define("proef.gewijzigd", aggregate_type=PROEF, keys={"onderdeel", "object_id"})
registry.define("proef.status_gewijzigd", aggregate_type=PROEF, keys={"status", "organisatie_id"})


@contextmanager
def captured_events(**filters: Any) -> Iterator[list[OutboxEvent]]:
    """The outbox rows written inside the block (filled in when the block ends)."""
    before = OutboxEvent.objects.aggregate(last=Max("id"))["last"] or 0
    captured: list[OutboxEvent] = []
    yield captured
    captured.extend(OutboxEvent.objects.filter(id__gt=before, **filters).order_by("id"))


def emit_committed(
    event_type: str = "proef.gewijzigd",
    *,
    aggregate_id: Any = "p1",
    version: int = 1,
    data: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Emit one event in its own transaction, as a service would."""
    from toegang.events.outbox import emit

    definition = registry.get(event_type)
    with transaction.atomic():
        return emit(
            event_type,
            aggregate_type=definition.aggregate_type,
            aggregate_id=aggregate_id,
            version=version,
            data=data,
        )


@dataclass
class ProefAccess:
    """Who may see which ``proef`` object; registered as recipients and access check."""

    grants: dict[str, set[int]] = field(default_factory=dict)

    def grant(self, aggregate_id: str, *users: Any) -> None:
        self.grants.setdefault(str(aggregate_id), set()).update(u.pk for u in users)

    def revoke(self, aggregate_id: str, user: Any) -> None:
        self.grants.get(str(aggregate_id), set()).discard(user.pk)

    def recipients(self, event: OutboxEvent) -> set[int]:
        return set(self.grants.get(event.aggregate_id, set()))

    def may_access(self, user: Any, aggregate_id: str) -> bool:
        return user.pk in self.grants.get(str(aggregate_id), set())


@pytest.fixture
def proef_access() -> Iterator[ProefAccess]:
    access = ProefAccess()
    with registry.registered(
        recipients={PROEF: access.recipients},
        access_checks={PROEF: access.may_access},
        webhook_filters={"proef.status_gewijzigd": registry.organisatie_from_payload},
    ):
        yield access


#: Websocket clients opened with ``connect`` during the current test.
_open_clients: list[WebsocketCommunicator] = []
#: How long teardown waits for one step (a client's disconnect, the tasks' cancellation).
TEARDOWN_SECONDS = 10.0


@pytest_asyncio.fixture
async def fresh_channel_layer() -> AsyncIterator[Any]:
    """A new instance of the configured layer per test (Redis: emptied first).

    It runs on the test's own event loop, so that afterwards, before that loop
    closes: every client opened with ``connect`` is disconnected (the consumer
    runs its ``disconnect``), the hub's listener is stopped, tasks still left are
    cancelled and must end within ``TEARDOWN_SECONDS`` (else the test errors,
    naming them), and the layer's Redis connections are closed.
    """
    channel_layers.backends.clear()
    layer = channel_layers["default"]
    if not isinstance(layer, InMemoryChannelLayer) and hasattr(layer, "flush"):
        await layer.flush()
    _open_clients.clear()
    try:
        yield layer
    finally:
        try:
            await _disconnect_clients()
            await hub().close()
            await _cancel_leftover_tasks()
            await _close_connections(layer)
        finally:
            channel_layers.backends.clear()


async def _disconnect_clients() -> None:
    clients = list(reversed(_open_clients))
    _open_clients.clear()
    for client in clients:
        if client.future.done():  # disconnected, refused, failed or cancelled already
            continue
        # A client the server closed still gets its disconnect message, as from a real
        # server. The application's errors are not the teardown's to report (a test
        # that disconnects sees them); what it leaves running is checked next.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(TEARDOWN_SECONDS):
                await client.disconnect()


async def _cancel_leftover_tasks() -> None:
    """Cancel what the test left running; a task that ignores cancellation is a bug."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftovers:
        task.cancel()
    if not leftovers:
        return
    _, stuck = await asyncio.wait(leftovers, timeout=TEARDOWN_SECONDS)
    if stuck:
        pytest.fail(
            "tasks did not end when cancelled:\n" + "\n".join(_describe(t) for t in stuck),
            pytrace=False,
        )


def _describe(task: asyncio.Task[Any]) -> str:
    stack = io.StringIO()
    task.print_stack(limit=20, file=stack)
    return stack.getvalue()


async def _close_connections(layer: Any) -> None:
    """channels_redis: close the pools; the pub/sub layer closes its connections on flush."""
    close = getattr(layer, "close_pools", None)
    if close is None and not isinstance(layer, InMemoryChannelLayer):
        close = getattr(layer, "flush", None)
    if close is not None:
        async with asyncio.timeout(TEARDOWN_SECONDS):
            await close()


@database_sync_to_async
def _token_for(user: Any) -> str:
    from toegang.services import api_token_create

    return api_token_create(user=user).plaintext


async def connect(user: Any | None = None, *, token: str | None = None) -> WebsocketCommunicator:
    """A connected websocket client for ``user`` (API token auth), past ``live.hello``."""
    from toegang.asgi import application

    if token is None and user is not None:
        token = await _token_for(user)
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    return await _connected(WebsocketCommunicator(application, "/ws/", headers=headers))


async def _connected(client: WebsocketCommunicator) -> WebsocketCommunicator:
    """Connect ``client`` (closed again at teardown) and read its ``live.hello``."""
    _open_clients.append(client)
    connected, _ = await client.connect()
    assert connected, "websocket connection refused"
    hello = await client.receive_json_from(timeout=5)
    assert hello["type"] == "live.hello"
    return client


def relay_until_idle(**kwargs: Any) -> int:
    """Run a relay until nothing is waiting (sync; wrap with database_sync_to_async)."""
    from toegang.events.relay import Relay

    relay = Relay(**kwargs)
    try:
        total = 0
        while done := relay.run_once():
            total += done
        return total
    finally:
        relay.close()


def session_cookie_for(user: Any) -> str:
    """A logged-in browser session of ``user``: its ``sessionid`` cookie (sync)."""
    from django.test import Client

    from tests.auth import verified_login

    browser = Client()
    verified_login(browser, user)
    return browser.cookies["sessionid"].value


async def connect_with_session(cookie: str) -> WebsocketCommunicator:
    """A connected websocket client with a session cookie, past ``live.hello``."""
    from toegang.asgi import application

    headers = [(b"cookie", f"sessionid={cookie}".encode())]
    return await _connected(WebsocketCommunicator(application, "/ws/", headers=headers))


async def receive_events(client: WebsocketCommunicator, count: int) -> list[dict[str, Any]]:
    """The next ``count`` domain-event messages (skipping presence and control messages)."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        message = await client.receive_json_from(timeout=5)
        if "event_id" in message and not message["type"].startswith("live."):
            found.append(message)
    return found
