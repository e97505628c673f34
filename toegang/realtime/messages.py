"""The messages on the channel layer and on the websocket. Ids and versions only."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toegang.events.models import OutboxEvent


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """The sockets opened with one browser session (closed when it ends), by a digest:
    the session key itself is a credential and stays out of the channel layer."""
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"session.{digest}"


def token_group(token_id: Any) -> str:
    """The sockets opened with one API token (closed when it is revoked or rotated)."""
    return f"token.{token_id}"


def domain_message(event: OutboxEvent) -> dict[str, Any]:
    """The channel-layer message the relay sends for one event."""
    return {
        "type": "domain.event",
        "event_type": event.event_type,
        "aggregate_type": event.aggregate_type,
        "aggregate_id": event.aggregate_id,
        "version": event.aggregate_version,
        "event_id": event.pk,
    }


def fanout_message(addressed: list[tuple[dict[str, Any], list[int]]]) -> dict[str, Any]:
    """One ``domain.fanout`` message for every server process's hub (``toegang.realtime.hub``):
    events (:func:`domain_message`) in commit order, each with its recipients' ids."""
    return {
        "type": "domain.fanout",
        "events": [{**message, "user_ids": user_ids} for message, user_ids in addressed],
    }


def client_message(message: dict[str, Any]) -> dict[str, Any]:
    """What the browser gets: ``{type, aggregate_type, id, version, event_id}``."""
    return {
        "type": message["event_type"],
        "aggregate_type": message["aggregate_type"],
        "id": message["aggregate_id"],
        "version": message["version"],
        "event_id": message["event_id"],
    }


def client_text(message: dict[str, Any]) -> str:
    """:func:`client_message` as the websocket's text frame (serialized once per event)."""
    return json.dumps(client_message(message))
