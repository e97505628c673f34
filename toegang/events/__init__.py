"""Domain events: the outbox, the relay and the hooks domain apps plug into.

Owns: event definitions (``registry``, ``catalogue``), the ``OutboxEvent`` table
written by :func:`emit` in the caller's transaction, the relay that delivers
committed events to users' channel groups, webhooks and NATS, and the catch-up
selector for websockets. May import ``toegang`` and ``audit``, never a domain app:
domain apps register recipients, access checks and webhook filters here.

    from toegang import events
    events.emit("casus.bijgewerkt", aggregate_type="casus", aggregate_id=casus.pk,
                version=casus.versie, data={"onderdeel": "tijdlijn"})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toegang.events import catalogue as catalogue
from toegang.events.registry import (
    EventError,
    EventType,
    InvalidEventPayloadError,
    UnknownEventTypeError,
    define,
    event_types,
    may_access,
    organisatie_from_payload,
    recipients_for,
    recipients_for_many,
    register_access_check,
    register_recipients,
    register_webhook_filter,
)

if TYPE_CHECKING:
    from toegang.events.outbox import EmitOutsideTransactionError, emit

__all__ = [
    "EmitOutsideTransactionError",
    "EventError",
    "EventType",
    "InvalidEventPayloadError",
    "UnknownEventTypeError",
    "define",
    "emit",
    "event_types",
    "may_access",
    "organisatie_from_payload",
    "recipients_for",
    "recipients_for_many",
    "register_access_check",
    "register_recipients",
    "register_webhook_filter",
]


def __getattr__(name: str) -> Any:
    # The outbox needs models; import it only once the app registry is ready.
    if name in ("emit", "EmitOutsideTransactionError"):
        from toegang.events import outbox

        return getattr(outbox, name)
    raise AttributeError(name)
