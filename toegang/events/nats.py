"""Publishing delivered events to a NATS JetStream stream for other municipal systems.

Settings: ``NATS_URL`` (off when empty), ``NATS_STREAM`` (default ``BREDE_TOEGANG``),
``NATS_SUBJECT_PREFIX`` (default ``toegang``): an event goes to subject
``<prefix>.<event_type>`` with header ``Nats-Msg-Id: <event_id>``, so JetStream drops
a re-publish within its duplicate window. Rows are published in sequence order by one
relay at a time (a PostgreSQL advisory lock); ``published_at`` records success.

Publishing runs in a lane of its own (:class:`NatsLane`, the worker's ``nats`` job in
its own thread): it keeps its own cursor (``published_at``) and back-off, so a NATS
outage delays only NATS, never the delivery to browsers. Every step has a hard
timeout: nats-py's ``connect`` with ``max_reconnect_attempts=0`` retries a refused
port forever (0 means "never give up" there), so we ask for one retry, without
waiting, inside an ``asyncio.timeout``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from toegang.events.models import OutboxEvent
from toegang.events.webhooks import event_body
from toegang.logging import get_logger
from toegang.outage import Outage

log = get_logger(__name__)

_LOCK = (7207, 2)
BATCH = 200
#: Seconds a connect (with its one retry) may take, and one batch of publishes.
CONNECT_TIMEOUT = 2.0
PUBLISH_TIMEOUT = 10.0


def stream_name() -> str:
    return str(getattr(settings, "NATS_STREAM", "") or "BREDE_TOEGANG")


def subject_prefix() -> str:
    return str(getattr(settings, "NATS_SUBJECT_PREFIX", "") or "toegang")


class NatsPublisher:
    """Owns one NATS connection on the relay's event loop."""

    def __init__(self, url: str):
        self.url = url
        self._nc: Any = None
        self._js: Any = None
        self.outage = Outage("nats", probe_first=0.5, probe_last=2.0)

    async def _ensure(self) -> Any:
        if self._nc is not None and self._nc.is_connected:
            return self._js
        import nats
        from nats.js.errors import NotFoundError

        async with asyncio.timeout(CONNECT_TIMEOUT):
            self._nc = await nats.connect(
                self.url,
                connect_timeout=CONNECT_TIMEOUT,
                allow_reconnect=False,
                max_reconnect_attempts=1,
                reconnect_time_wait=0.1,
                error_cb=_quiet,
            )
        self._js = self._nc.jetstream(timeout=2)
        try:
            await self._js.stream_info(stream_name())
        except NotFoundError:
            await self._js.add_stream(name=stream_name(), subjects=[f"{subject_prefix()}.>"])
        return self._js

    def publish_delivered(self, loop: asyncio.AbstractEventLoop) -> int:
        """Publish the next delivered, unpublished rows; returns how many went out."""
        if not self.outage.should_try():
            return 0
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", list(_LOCK))
                    if not cursor.fetchone()[0]:
                        return 0
            rows = list(
                OutboxEvent.objects.filter(
                    status=OutboxEvent.Status.DELIVERED, published_at__isnull=True
                ).order_by("id")[:BATCH]
            )
            if not rows:
                return 0
            done = 0
            holder = _Progress()
            try:
                done = loop.run_until_complete(self._publish_tracked(rows, holder))
            except Exception as exc:
                done = holder.done
                self.outage.failed(exc)  # one log line per outage, not per attempt
                loop.run_until_complete(self._drop())
            else:
                self.outage.succeeded()
            if done:
                OutboxEvent.objects.filter(pk__in=[r.pk for r in rows[:done]]).update(
                    published_at=timezone.now()
                )
        return done

    async def _publish_tracked(self, rows: list[OutboxEvent], holder: _Progress) -> int:
        async with asyncio.timeout(PUBLISH_TIMEOUT):
            return await self._publish_all(rows, holder)

    async def _publish_all(self, rows: list[OutboxEvent], holder: _Progress) -> int:
        js = await self._ensure()
        for row in rows:
            await js.publish(
                f"{subject_prefix()}.{row.event_type}",
                event_body(row).encode("utf-8"),
                headers={"Nats-Msg-Id": str(row.event_id)},
            )
            holder.done += 1
        return holder.done

    async def _drop(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None:
            try:
                await nc.close()
            except Exception as exc:
                log.debug("nats_close_failed", error=type(exc).__name__)

    def close(self, loop: asyncio.AbstractEventLoop) -> None:
        if not loop.is_closed():
            loop.run_until_complete(self._drop())


class _Progress:
    done = 0


async def _quiet(exc: Exception) -> None:
    """nats-py's error callback: the lane's outage logs once, not per attempt."""


class NatsLane:
    """The NATS lane: its own event loop and publisher; one round per ``run_once``."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._publisher: NatsPublisher | None = None

    def run_once(self) -> int:
        """Publish the next delivered rows; 0 when NATS is off, down or there is nothing."""
        url = getattr(settings, "NATS_URL", "")
        if not url:
            return 0
        if self._publisher is None or self._publisher.url != url:
            self.close()
            self._loop = asyncio.new_event_loop()
            self._publisher = NatsPublisher(url)
        return self._publisher.publish_delivered(self._loop)

    def close(self) -> None:
        if self._publisher is not None:
            self._publisher.close(self._loop)
            self._publisher = None
        if not self._loop.is_closed():
            self._loop.close()
