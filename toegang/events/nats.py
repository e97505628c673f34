"""Publishing delivered events to a NATS JetStream stream for other municipal systems.

Settings: ``NATS_URL`` (off when empty), ``NATS_STREAM`` (default ``BREDE_TOEGANG``),
``NATS_SUBJECT_PREFIX`` (default ``toegang``): an event goes to subject
``<prefix>.<event_type>`` with header ``Nats-Msg-Id: <event_id>``, so JetStream drops
a re-publish within its duplicate window. Rows are published in sequence order by one
relay at a time (a PostgreSQL advisory lock); ``published_at`` records success.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from toegang.events.models import OutboxEvent
from toegang.events.webhooks import event_body
from toegang.logging import get_logger

log = get_logger(__name__)

_LOCK = (7207, 2)
BATCH = 200


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
        self._failures = 0
        self._retry_at = 0.0

    async def _ensure(self) -> Any:
        if self._nc is not None and self._nc.is_connected:
            return self._js
        import nats
        from nats.js.errors import NotFoundError

        self._nc = await nats.connect(
            self.url, connect_timeout=2, allow_reconnect=False, max_reconnect_attempts=0
        )
        self._js = self._nc.jetstream(timeout=2)
        try:
            await self._js.stream_info(stream_name())
        except NotFoundError:
            await self._js.add_stream(name=stream_name(), subjects=[f"{subject_prefix()}.>"])
        return self._js

    def publish_delivered(self, loop: asyncio.AbstractEventLoop) -> int:
        """Publish the next delivered, unpublished rows; returns how many went out."""
        if time.monotonic() < self._retry_at:
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
                self._failures += 1
                self._retry_at = time.monotonic() + min(60.0, 2.0**self._failures)
                log.warning("nats_publish_failed", error=type(exc).__name__, published=done)
                loop.run_until_complete(self._drop())
            else:
                self._failures = 0
            if done:
                OutboxEvent.objects.filter(pk__in=[r.pk for r in rows[:done]]).update(
                    published_at=timezone.now()
                )
        return done

    async def _publish_tracked(self, rows: list[OutboxEvent], holder: _Progress) -> int:
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
