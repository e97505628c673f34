"""The event registry: typed, versioned event definitions and the hooks domain apps plug in.

Domain apps describe their events with :func:`define` (the platform's own catalogue
is in :mod:`toegang.events.catalogue`) and register, per aggregate type, who may
receive an event (:func:`register_recipients`), who may watch an object
(:func:`register_access_check`) and which partner organisation a webhook
delivery belongs to (:func:`register_webhook_filter`). This module imports no
models, so it is safe to use from any app's ``ready()``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toegang.events.models import OutboxEvent

#: Ids in payloads and aggregate ids: letters, digits and ``_ . : -`` only, so no
#: free text (names, addresses, notes) fits in an event.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
MAX_LIST_ITEMS = 100

Recipients = Callable[["OutboxEvent"], Iterable[int]]
#: The same answer for many events at once: ``{event.pk: user ids}``.
RecipientsMany = Callable[[Sequence["OutboxEvent"]], Mapping[int, Iterable[int]]]
AccessCheck = Callable[[Any, str], bool]
WebhookFilter = Callable[["OutboxEvent"], Any]


class EventError(ValueError):
    """An event that may not be written. Messages name keys and types, never values."""


class UnknownEventTypeError(EventError):
    pass


class InvalidEventPayloadError(EventError):
    pass


@dataclass(frozen=True)
class EventType:
    """One kind of event: its name, the aggregate it is about and its payload keys."""

    name: str
    aggregate_type: str
    schema_version: int
    payload_keys: frozenset[str]
    description: str = ""

    def clean_payload(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """The payload as JSON-ready ids; raises on unknown keys or non-id values."""
        cleaned: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if key not in self.payload_keys:
                raise InvalidEventPayloadError(f"{self.name}: unknown payload key {key!r}")
            cleaned[key] = _clean_value(self.name, key, value)
        return cleaned


def _clean_scalar(event: str, key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and ID_PATTERN.match(value):
        return value
    raise InvalidEventPayloadError(
        f"{event}: payload key {key!r} must hold an id, not a {type(value).__name__}"
    )


def _clean_value(event: str, key: str, value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        if len(value) > MAX_LIST_ITEMS:
            raise InvalidEventPayloadError(f"{event}: payload key {key!r} holds too many ids")
        return [_clean_scalar(event, key, item) for item in value]
    return _clean_scalar(event, key, value)


def clean_aggregate_id(value: Any) -> str:
    text = str(value)
    if not ID_PATTERN.match(text):
        raise InvalidEventPayloadError("aggregate_id must be an id (letters, digits, '-', '_')")
    return text


_TYPES: dict[str, EventType] = {}
_RECIPIENTS: dict[str, list[Recipients]] = {}
_RECIPIENTS_MANY: dict[Recipients, RecipientsMany] = {}
_ACCESS_CHECKS: dict[str, AccessCheck] = {}
_WEBHOOK_FILTERS: dict[str, WebhookFilter] = {}


def define(
    name: str,
    *,
    aggregate_type: str,
    version: int = 1,
    keys: Iterable[str] = (),
    description: str = "",
) -> EventType:
    """Add (or replace, with a higher version) the definition of an event type."""
    if not NAME_PATTERN.match(name):
        raise ValueError(f"event name {name!r} must look like 'casus.geopend'")
    event_type = EventType(
        name=name,
        aggregate_type=aggregate_type,
        schema_version=version,
        payload_keys=frozenset(keys),
        description=description,
    )
    current = _TYPES.get(name)
    if current is not None and current != event_type and version <= current.schema_version:
        raise ValueError(f"{name}: a changed definition needs a higher version")
    _TYPES[name] = event_type
    return event_type


def get(name: str) -> EventType:
    try:
        return _TYPES[name]
    except KeyError:
        raise UnknownEventTypeError(f"unknown event type {name!r}") from None


def event_types() -> list[EventType]:
    return sorted(_TYPES.values(), key=lambda t: t.name)


def register_recipients(
    aggregate_type: str, fn: Recipients, *, many: RecipientsMany | None = None
) -> None:
    """``fn(event)`` returns the ids of the users who may see the object *now*.

    ``many(events)``, when given, answers the same for a batch of events in a few
    queries (the relay's round); it must agree with ``fn`` event by event.
    """
    _RECIPIENTS.setdefault(aggregate_type, [])
    if fn not in _RECIPIENTS[aggregate_type]:
        _RECIPIENTS[aggregate_type].append(fn)
    if many is not None:
        _RECIPIENTS_MANY[fn] = many


def has_recipients(aggregate_type: str) -> bool:
    return bool(_RECIPIENTS.get(aggregate_type))


def recipients_for(event: OutboxEvent) -> set[int]:
    """The union of every registered resolver's answer for ``event``."""
    found: set[int] = set()
    for fn in _RECIPIENTS.get(event.aggregate_type, []):
        found.update(int(user_id) for user_id in fn(event))
    return found


def recipients_for_many(events: Sequence[OutboxEvent]) -> dict[int, set[int]]:
    """``recipients_for`` of every event, by ``event.pk``; batched where a resolver can."""
    found: dict[int, set[int]] = {event.pk: set() for event in events}
    by_type: dict[str, list[OutboxEvent]] = {}
    for event in events:
        by_type.setdefault(event.aggregate_type, []).append(event)
    for aggregate_type, group in by_type.items():
        for fn in _RECIPIENTS.get(aggregate_type, []):
            many = _RECIPIENTS_MANY.get(fn)
            if many is None:
                answers: Mapping[int, Iterable[int]] = {event.pk: fn(event) for event in group}
            else:
                answers = many(group)
            for pk, user_ids in answers.items():
                found[pk].update(int(user_id) for user_id in user_ids)
    return found


def register_access_check(aggregate_type: str, fn: AccessCheck) -> None:
    """``fn(user, aggregate_id) -> bool``: may this user watch that object live?"""
    _ACCESS_CHECKS[aggregate_type] = fn


def may_access(user: Any, aggregate_type: str, aggregate_id: str) -> bool:
    """False for unknown aggregate types: watching is closed unless a domain app opens it."""
    fn = _ACCESS_CHECKS.get(aggregate_type)
    return bool(fn is not None and fn(user, aggregate_id))


def register_webhook_filter(event_type: str, fn: WebhookFilter) -> None:
    """``fn(event)`` returns the organisatie id whose webhooks get ``event``, or None."""
    _WEBHOOK_FILTERS[event_type] = fn


def has_webhook_filter(event_type: str) -> bool:
    return event_type in _WEBHOOK_FILTERS


def webhook_organisatie(event: OutboxEvent) -> str | None:
    """The organisation whose subscriptions may receive ``event``; None means nobody."""
    fn = _WEBHOOK_FILTERS.get(event.event_type)
    if fn is None:
        return None
    found = fn(event)
    return str(found) if found else None


def organisatie_from_payload(event: OutboxEvent) -> Any:
    """A webhook filter for events whose payload names the signal's organisatie."""
    return event.payload.get("organisatie_id")


@contextmanager
def registered(
    *,
    recipients: Mapping[str, Recipients] | None = None,
    access_checks: Mapping[str, AccessCheck] | None = None,
    webhook_filters: Mapping[str, WebhookFilter] | None = None,
) -> Iterator[None]:
    """Temporarily replace hooks (tests): restores the previous registrations on exit."""
    saved = (
        {k: list(v) for k, v in _RECIPIENTS.items()},
        dict(_ACCESS_CHECKS),
        dict(_WEBHOOK_FILTERS),
    )
    for aggregate_type, fn in (recipients or {}).items():
        _RECIPIENTS[aggregate_type] = [fn]
    _ACCESS_CHECKS.update(access_checks or {})
    _WEBHOOK_FILTERS.update(webhook_filters or {})
    try:
        yield
    finally:
        _RECIPIENTS.clear()
        _RECIPIENTS.update(saved[0])
        _ACCESS_CHECKS.clear()
        _ACCESS_CHECKS.update(saved[1])
        _WEBHOOK_FILTERS.clear()
        _WEBHOOK_FILTERS.update(saved[2])
