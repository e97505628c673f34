"""Test helpers for the event platform, also for other apps' tests.

    from tests.toegang.events.helpers import captured_events

    with captured_events() as events:
        casus_assign_aanspreekpunt(casus=casus, consulent=c, by=teamleider)
    assert [e.event_type for e in events] == ["casus.aanspreekpunt_gewijzigd"]

A service that changes state without emitting its event makes such a test fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, channel_layers
from channels.testing.websocket import WebsocketCommunicator
from django.db import transaction
from django.db.models import Max

from toegang.events import registry
from toegang.events.models import OutboxEvent

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


@pytest.fixture
def fresh_channel_layer() -> Iterator[Any]:
    """A new instance of the configured layer per test (Redis: emptied first)."""
    channel_layers.backends.clear()
    layer = channel_layers["default"]
    if not isinstance(layer, InMemoryChannelLayer) and hasattr(layer, "flush"):
        async_to_sync(layer.flush)()
        channel_layers.backends.clear()
        layer = channel_layers["default"]
    yield layer
    channel_layers.backends.clear()


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
    client = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await client.connect()
    assert connected, "websocket connection refused"
    hello = await client.receive_json_from(timeout=5)
    assert hello["type"] == "live.hello"
    return client


async def receive_events(client: WebsocketCommunicator, count: int) -> list[dict[str, Any]]:
    """The next ``count`` domain-event messages (skipping presence and control messages)."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        message = await client.receive_json_from(timeout=5)
        if "event_id" in message and not message["type"].startswith("live."):
            found.append(message)
    return found
