"""The websocket consumer: ``user.<id>`` events, catch-up, acks and presence.

Client → server (JSON): ``{"action": "catch_up", "after": n}``,
``{"action": "ack", "event_id": n}`` (or ``"event_ids": [...]``),
``{"action": "watch" | "unwatch", "aggregate_type": "casus", "id": "..."}``.
Server → client: ``{type: <event type>, aggregate_type, id, version, event_id}``
for domain events, and ``live.hello``, ``live.caught_up``, ``live.resync``,
``presence``, ``live.watch_denied``, ``live.revoked``, ``live.error``.
A socket whose user, token or session stops being valid is closed with 4401
(``toegang.realtime.validity``). See docs/events.md.

When the channel layer (Redis) is unreachable, on connect or later, the socket is
closed with code 4503 ("tijdelijk niet beschikbaar") instead of failing with 1006
and a traceback; live.js then reconnects with back-off and catches up from its
last event id, which it can do once Redis is back.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from audit import context as audit_context
from toegang import jsonlimits
from toegang.cache import UNREACHABLE
from toegang.logging import get_logger
from toegang.realtime import bridge, layer, validity
from toegang.realtime.hub import hub
from toegang.realtime.messages import (
    client_message,
    domain_message,
    session_group,
    token_group,
    user_group,
)
from toegang.realtime.presence import REFRESH, Watch, valid_target
from toegang.realtime.revoke import CLOSE_REVOKED
from toegang.realtime.tasks import cancelling, stop

__all__ = ["LiveConsumer", "user_group"]

log = get_logger(__name__)

#: Close code: the channel layer is unreachable; try again later (live.js backs off).
CLOSE_UNAVAILABLE = 4503
#: Seconds joining the user's groups may take before the layer counts as unreachable:
#: longer than the bounded pool's wait for a free connection (``timeout`` in
#: REDIS_LAYER_HOST_OPTIONS, 10 s), so a burst of connects waits its turn instead of
#: being closed as an outage. A Redis that is down refuses at once and closes sooner.
JOIN_TIMEOUT = 12.0
MAX_WATCHES = 20
CATCH_UP_INTERVAL = 2.0
RECENT_IDS = 2000
#: How long ``live.hello`` may reuse the latest event id of an earlier connection.
LATEST_ID_SECONDS = 1.0


_still_valid = database_sync_to_async(validity.still_valid)


@database_sync_to_async
def _query_latest_event_id() -> int:
    from toegang.events.catch_up import latest_delivered_id

    return latest_delivered_id()


class _LatestEventId:
    """The latest delivered event id for ``live.hello``, queried at most once a second.

    A burst of connections shares one query. Stale means lower: the client's cursor
    then starts a little early, and a catch-up replays a few events it drops as seen.
    """

    def __init__(self) -> None:
        self.value = 0
        self.until = -1.0

    async def get(self) -> int:
        now = time.monotonic()
        if now >= self.until:
            self.until = now + LATEST_ID_SECONDS
            self.value = await _query_latest_event_id()
        return self.value


_latest = _LatestEventId()


@database_sync_to_async
def _missed(user_id: int, after: int) -> tuple[list[dict[str, Any]], int, bool]:
    from toegang.events.catch_up import events_missed

    found = events_missed(user_id=user_id, after=after)
    return [domain_message(e) for e in found.events], found.latest, found.overflow


@database_sync_to_async
def _may_watch(user: Any, aggregate_type: str, aggregate_id: str) -> bool:
    from toegang.events.registry import may_access

    return may_access(user, aggregate_type, aggregate_id)


class _RecentIds:
    """The event ids this connection already passed on: at-least-once becomes once."""

    def __init__(self, size: int):
        self.size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def add(self, event_id: int) -> bool:
        """False when ``event_id`` was seen before."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


class _ClientGoneError(Exception):
    """The server could not send to the client: its connection is gone (not Redis)."""


def _reporting_gone(send: Any) -> Any:
    """``send``, with the server's error for a closed connection made recognizable.

    ASGI servers raise a subclass of ``OSError`` for a send on a closed connection
    (uvicorn: ``ClientDisconnected``), as Redis does when it is unreachable.
    """

    async def guarded(message: dict[str, Any]) -> None:
        try:
            await send(message)
        except OSError as exc:
            raise _ClientGoneError from exc

    return guarded


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Joins ``user.<id>`` and forwards ``{type, aggregate_type, id, version, event_id}``."""

    group = ""
    groups_joined: tuple[str, ...] = ()
    _refresher: asyncio.Task[None] | None = None
    _attached = False
    _closing = False
    _accepted = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # The connection's own task: every audit record written for it has its context.
        audit_context.bind(audit_context.from_scope(scope, uuid.uuid4().hex))
        try:
            await super().__call__(scope, receive, _reporting_gone(send))
        except _ClientGoneError:
            log.debug("live_client_gone")  # the browser left first: nothing to close
        except UNREACHABLE as exc:
            # The layer's receive failed: Redis went away under an open socket.
            log.warning("live_layer_lost", error=type(exc).__name__)
            if self._accepted:
                await send({"type": "websocket.close", "code": CLOSE_UNAVAILABLE})
        finally:
            # Also when the connection's task is cancelled without a disconnect message
            # (server shutdown): no presence task or hub listener may outlive it.
            await self._stop_background()

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        # Loaded a moment ago by the authentication (token or session), active only.
        self.user = user
        if not user.is_active:
            await self.close(code=4401)
            return
        bridge.note_consumer_loop()
        self.user_id: int = self.user.pk
        self.naam: str = self.user.weergavenaam
        self.recent = _RecentIds(RECENT_IDS)
        self.watches: dict[str, Watch] = {}
        self._last_catch_up = 0.0
        self.credentials = validity.credentials_for(self.user, self.scope)
        groups: tuple[str, ...] = (user_group(self.user_id),)
        if self.credentials.token_id is not None:
            groups += (token_group(self.credentials.token_id),)
        if self.credentials.session_key is not None:
            groups += (session_group(self.credentials.session_key),)
        try:
            async with asyncio.timeout(JOIN_TIMEOUT):
                await layer.join(self.channel_layer, groups, self.channel_name)
        except UNREACHABLE as exc:
            log.warning("live_layer_unavailable", error=type(exc).__name__)
            await self.accept()
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        self.group = groups[0]
        self.groups_joined = groups
        await self.accept()
        self._accepted = True
        self._attached = True
        await hub().attach(
            self, validity.seconds_left_at_opening(self.credentials, self.scope.get("session"))
        )
        await self.send_json({"type": "live.hello", "event_id": await _latest.get()})

    async def disconnect(self, code: int) -> None:
        if not self.group:
            return
        try:
            try:
                await self._stop_background()
                for key in list(self.watches):
                    await self._unwatch(key)
            finally:
                for group in self.groups_joined:
                    await self.channel_layer.group_discard(group, self.channel_name)
        except UNREACHABLE as exc:  # Redis away: the membership expires by itself
            log.info("live_leave_failed", error=type(exc).__name__)

    async def _stop_background(self) -> None:
        """Stop this connection's background tasks and leave the hub (idempotent)."""
        refresher, self._refresher = self._refresher, None
        await stop(refresher)
        if self._attached:
            self._attached = False
            await hub().detach(self)

    # -- from the client -------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            content = jsonlimits.loads(text_data or "")
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self._error("bad_json")
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        action = content.get("action")
        if action == "catch_up":
            await self._catch_up(content.get("after"))
        elif action == "ack":
            ids = content.get("event_ids") or [content.get("event_id")]
            for event_id in ids if isinstance(ids, list) else []:
                if isinstance(event_id, int):
                    self.recent.add(event_id)
        elif action == "watch":
            await self._watch(content.get("aggregate_type"), content.get("id"))
        elif action == "unwatch":
            if valid_target(content.get("aggregate_type"), content.get("id")):
                await self._unwatch(f"{content['aggregate_type']}:{content['id']}", notify=True)
        else:
            await self._error("unknown_action")

    async def _error(self, code: str) -> None:
        await self.send_json({"type": "live.error", "code": code})

    async def _catch_up(self, after: Any) -> None:
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self._error("bad_cursor")
            return
        now = time.monotonic()
        if now - self._last_catch_up < CATCH_UP_INTERVAL:
            await self._error("too_many_catch_ups")
            return
        self._last_catch_up = now
        if not await self._still_allowed():
            return
        messages, latest, overflow = await _missed(self.user_id, after)
        for message in messages:
            await self._forward(message)
        await self.send_json(
            {"type": "live.resync" if overflow else "live.caught_up", "event_id": latest}
        )

    # -- from the relay ----------------------------------------------------------------

    async def domain_event(self, message: dict[str, Any]) -> None:
        """One event from the ``user.<id>`` group (``groups`` delivery).

        The credentials are re-checked first: a revoked token or deactivated user
        gets no event, even when the close message has not arrived (yet). In
        ``fanout`` delivery the hub does that check for a whole batch of sockets
        and calls :meth:`forward_text`.
        """
        if await self._still_allowed():
            await self._forward(message)

    async def _forward(self, message: dict[str, Any]) -> None:
        if not self._closing and self.recent.add(int(message["event_id"])):
            await self.send_json(client_message(message))

    async def forward_text(self, event_id: int, text: str) -> None:
        """An event already serialized (the hub's fan-out), once per socket."""
        if not self._closing and self.recent.add(event_id):
            await self.base_send({"type": "websocket.send", "text": text})

    async def _still_allowed(self) -> bool:
        """True while the socket's credentials hold; otherwise it closes (4401)."""
        if self._closing:
            return False
        if await _still_valid(self.credentials):
            return True
        await self.close_revoked()
        return False

    async def close_revoked(self) -> None:
        if not self._closing:
            self._closing = True
            log.info("live_socket_revoked", user_id=self.user_id)
            await self.close(code=CLOSE_REVOKED)

    async def live_revoke(self, message: dict[str, Any]) -> None:
        key = f"{message['aggregate_type']}:{message['aggregate_id']}"
        await self._unwatch(key)
        await self.send_json(
            {
                "type": "live.revoked",
                "aggregate_type": message["aggregate_type"],
                "id": message["aggregate_id"],
            }
        )

    async def live_close(self, message: dict[str, Any]) -> None:
        """From ``disconnect_user`` / ``disconnect_token``: the credentials were revoked."""
        await self.close_revoked()

    # -- presence ------------------------------------------------------------------------

    async def _watch(self, aggregate_type: Any, aggregate_id: Any) -> None:
        if not valid_target(aggregate_type, aggregate_id):
            await self._error("bad_target")
            return
        aggregate_id = str(aggregate_id)
        key = f"{aggregate_type}:{aggregate_id}"
        if key in self.watches:
            await self._send_presence(self.watches[key])
            return
        if len(self.watches) >= MAX_WATCHES:
            await self._error("too_many_watches")
            return
        if not await _may_watch(self.user, aggregate_type, aggregate_id):
            # The same answer for "does not exist" and "not yours".
            await self.send_json(
                {"type": "live.watch_denied", "aggregate_type": aggregate_type, "id": aggregate_id}
            )
            return
        watch = self.watches[key] = Watch(aggregate_type, aggregate_id)
        watch.heard(self.channel_name, self.user_id, self.naam)
        await self.channel_layer.group_add(watch.group, self.channel_name)
        await self.channel_layer.group_send(
            watch.group, self._presence_note("presence.join", watch)
        )
        await self._send_presence(watch)
        if self._refresher is None:
            self._refresher = asyncio.create_task(
                self._refresh_presence(), name=f"realtime.presence.{self.user_id}"
            )

    async def _unwatch(self, key: str, *, notify: bool = False) -> None:
        watch = self.watches.pop(key, None)
        if watch is None:
            return
        await self.channel_layer.group_send(
            watch.group, self._presence_note("presence.leave", watch)
        )
        await self.channel_layer.group_discard(watch.group, self.channel_name)
        if notify:
            await self.send_json(
                {
                    "type": "presence",
                    "aggregate_type": watch.aggregate_type,
                    "id": watch.aggregate_id,
                    "users": [],
                }
            )

    def _presence_note(self, kind: str, watch: Watch) -> dict[str, Any]:
        return {
            "type": kind,
            "channel": self.channel_name,
            "user_id": self.user_id,
            "naam": self.naam,
            "aggregate_type": watch.aggregate_type,
            "aggregate_id": watch.aggregate_id,
        }

    async def _send_presence(self, watch: Watch) -> None:
        await self.send_json(
            {
                "type": "presence",
                "aggregate_type": watch.aggregate_type,
                "id": watch.aggregate_id,
                "users": watch.users_except(self.user_id),
            }
        )

    def _watch_for(self, message: dict[str, Any]) -> Watch | None:
        if message.get("channel") == self.channel_name:
            return None
        return self.watches.get(f"{message['aggregate_type']}:{message['aggregate_id']}")

    async def presence_join(self, message: dict[str, Any]) -> None:
        watch = self._watch_for(message)
        if watch is None:
            return
        watch.heard(message["channel"], message["user_id"], message["naam"])
        await self._send_presence(watch)
        await self.channel_layer.send(
            message["channel"], self._presence_note("presence.here", watch)
        )

    async def presence_here(self, message: dict[str, Any]) -> None:
        watch = self._watch_for(message)
        if watch is not None and watch.heard(
            message["channel"], message["user_id"], message["naam"]
        ):
            await self._send_presence(watch)

    async def presence_leave(self, message: dict[str, Any]) -> None:
        watch = self._watch_for(message)
        if watch is not None and watch.left(message["channel"]):
            await self._send_presence(watch)

    async def _refresh_presence(self) -> None:
        """Every ``REFRESH`` s: re-announce, forget the silent, re-check access.

        Runs until ``disconnect`` stops it; a failed round (Redis away) is logged
        and the next round tries again, but a cancellation always ends it.
        """
        while True:
            await asyncio.sleep(REFRESH)
            try:
                await self._refresh_once()
            except Exception as exc:
                if cancelling():
                    raise
                log.warning(
                    "presence_refresh_failed", user_id=self.user_id, error=type(exc).__name__
                )

    async def _refresh_once(self) -> None:
        """Re-announce, forget the silent, and re-check access (a missed revoke still ends)."""
        for watch in list(self.watches.values()):
            if not await _may_watch(self.user, watch.aggregate_type, watch.aggregate_id):
                await self.live_revoke(
                    {"aggregate_type": watch.aggregate_type, "aggregate_id": watch.aggregate_id}
                )
                continue
            watch.heard(self.channel_name, self.user_id, self.naam)
            await self.channel_layer.group_send(
                watch.group, self._presence_note("presence.here", watch)
            )
            if watch.expire():
                await self._send_presence(watch)
