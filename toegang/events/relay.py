"""The relay: committed outbox rows → the channel groups of the users who may see them.

One round (:meth:`Relay.run_once`): claim a batch, resolve the recipients of its
events now (registry; one batched look-up per aggregate type where the domain app
offers one), send them (``fanout``, the default: all of the round's events in one
``domain.fanout`` message to every server process; ``groups``: ``domain.event`` to
every ``user.<id>`` group, aggregates in parallel, each aggregate's events strictly
in order), mark delivered and queue the
webhook deliveries in one transaction; failures back off and dead-letter after
``max_attempts``. At-least-once: a consumer drops an ``event_id`` it has already
passed on. NATS is not this loop's business: it has a lane of its own
(:class:`toegang.events.nats.NatsLane`), so a NATS outage never delays browsers.

Outages are not the events' fault: when every send of a round fails because the
channel layer is unreachable, the rows go back unattempted (no back-off, never
dead-lettered) and the relay probes the layer again within a second
(:mod:`toegang.outage`), so delivery resumes within about a second of Redis'
return. A round that fails halfway (the database went away) releases its claims
at once; if even that fails, the relay reclaims its own rows on its next round
instead of waiting for its lease, which it renews while a long round runs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Now

from toegang.cache import UNREACHABLE
from toegang.events import registry
from toegang.events.claim import claim_batch, mark_failed, release, renew
from toegang.events.models import OutboxEvent
from toegang.events.outbox import relay_settings
from toegang.events.webhooks import enqueue_deliveries
from toegang.logging import get_logger
from toegang.outage import Outage
from toegang.realtime import bridge
from toegang.realtime.hub import FANOUT_GROUP
from toegang.realtime.messages import domain_message, fanout_message, user_group

log = get_logger(__name__)
T = TypeVar("T")

#: At most this many group sends in flight at once (bounds Redis connections).
MAX_CONCURRENT_SENDS = 64


@dataclass
class _Outcome:
    delivered: list[OutboxEvent] = field(default_factory=list)
    failed: list[tuple[OutboxEvent, str]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    #: The last error of a send that failed because the layer was unreachable.
    unreachable: BaseException | None = None

    @property
    def layer_down(self) -> bool:
        """Nothing went out and every failure was an unreachable layer: an outage."""
        return (
            self.unreachable is not None
            and not self.delivered
            and all(error.startswith("send: ") for _, error in self.failed)
        )


def _chains(rows: list[OutboxEvent]) -> list[list[OutboxEvent]]:
    """Rows grouped per aggregate, each group in sequence order."""
    grouped: dict[tuple[str, str], list[OutboxEvent]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.pk):
        grouped[(row.aggregate_type, row.aggregate_id)].append(row)
    return list(grouped.values())


def _failed(
    outcome: _Outcome, chain: list[tuple[OutboxEvent, list[int]]], index: int, exc: Exception
) -> None:
    """The send of ``chain[index]`` failed: it backs off, the rest of its aggregate waits."""
    row = chain[index][0]
    if isinstance(exc, UNREACHABLE):
        outcome.unreachable = exc
    log.debug("relay_send_failed", event_id=row.pk, error=type(exc).__name__)
    outcome.failed.append((row, f"send: {type(exc).__name__}"))
    outcome.released.extend(r.pk for r, _ in chain[index + 1 :])


class Relay:
    """One relay worker. Not thread-safe: use one per thread (it owns an event loop)."""

    def __init__(self, *, layer: Any = None, owner: str | None = None, **overrides: Any):
        self.config = {**relay_settings(), **overrides}
        self.layer = layer if layer is not None else get_channel_layer()
        self.owner = owner or f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._loop = asyncio.new_event_loop()
        self.outage = Outage("channel_layer")

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.config["lease_seconds"])

    # -- one round ---------------------------------------------------------------

    def run_once(self) -> int:
        """Deliver one batch; returns how many events it handled (0 when idle or waiting)."""
        if not self.outage.should_try():
            return 0  # the layer is down: probe again shortly, claim nothing meanwhile
        rows = claim_batch(owner=self.owner, batch_size=self.config["batch_size"], lease=self.lease)
        if not rows:
            return 0
        try:
            outcome = _Outcome()
            plan = self._resolve(rows, outcome)
            if plan:
                self._run(lambda: self._send(plan, outcome), rows)
            if outcome.layer_down:
                assert outcome.unreachable is not None
                self.outage.failed(outcome.unreachable)
                release([row.pk for row in rows], owner=self.owner)
                return 0
            if outcome.delivered:
                self.outage.succeeded()
            self._finish(outcome)
        except BaseException:
            self._give_back(rows)
            raise
        return len(rows)

    def _give_back(self, rows: list[OutboxEvent]) -> None:
        """Release a failed round's claims now, not after the lease (best effort)."""
        try:
            release([row.pk for row in rows], owner=self.owner)
        except Exception as exc:  # the database itself is away: the next round reclaims them
            log.warning("relay_release_failed", error=type(exc).__name__)

    def _resolve(
        self, rows: list[OutboxEvent], outcome: _Outcome
    ) -> list[list[tuple[OutboxEvent, list[int]]]]:
        """Recipients per event, now. A failing resolver holds back the rest of its aggregate."""
        plan: list[list[tuple[OutboxEvent, list[int]]]] = []
        everyone: set[int] = set()
        try:
            batch = registry.recipients_for_many(rows)
        except Exception as exc:  # event by event, so only the failing one holds back
            log.warning("relay_recipients_batch_failed", error=type(exc).__name__)
            batch = {}
        for chain in _chains(rows):
            resolved: list[tuple[OutboxEvent, list[int]]] = []
            for index, row in enumerate(chain):
                try:
                    user_ids = sorted(
                        batch[row.pk] if row.pk in batch else registry.recipients_for(row)
                    )
                except Exception as exc:
                    log.warning(
                        "relay_recipients_failed", event_id=row.pk, error=type(exc).__name__
                    )
                    outcome.failed.append((row, f"recipients: {type(exc).__name__}"))
                    outcome.released.extend(r.pk for r in chain[index + 1 :])
                    break
                resolved.append((row, user_ids))
                everyone.update(user_ids)
            if resolved:
                plan.append(resolved)
        if everyone:
            active = set(
                get_user_model()
                .objects.filter(pk__in=everyone, is_active=True)
                .values_list("pk", flat=True)
            )
            plan = [
                [(row, [u for u in ids if u in active]) for row, ids in chain] for chain in plan
            ]
        return plan

    async def _send(
        self, plan: list[list[tuple[OutboxEvent, list[int]]]], outcome: _Outcome
    ) -> None:
        gate = asyncio.Semaphore(MAX_CONCURRENT_SENDS)
        timeout = self.config["send_timeout"]

        async def send_one(group: str, message: dict[str, Any]) -> None:
            async with gate:
                await asyncio.wait_for(self.layer.group_send(group, message), timeout)

        fanout = self.config["delivery"] == "fanout"
        if fanout and await self._send_together(plan, outcome, send_one):
            return

        async def deliver(row: OutboxEvent, user_ids: list[int]) -> None:
            message = domain_message(row)
            if fanout:
                if user_ids:
                    await send_one(FANOUT_GROUP, fanout_message([(message, user_ids)]))
                return
            await asyncio.gather(*(send_one(user_group(u), message) for u in user_ids))

        async def run_chain(chain: list[tuple[OutboxEvent, list[int]]]) -> None:
            for index, (row, user_ids) in enumerate(chain):
                try:
                    await deliver(row, user_ids)
                except Exception as exc:
                    _failed(outcome, chain, index, exc)
                    return
                outcome.delivered.append(row)

        await asyncio.gather(*(run_chain(chain) for chain in plan))

    async def _send_together(
        self,
        plan: list[list[tuple[OutboxEvent, list[int]]]],
        outcome: _Outcome,
        send_one: Callable[[str, dict[str, Any]], Coroutine[Any, Any, None]],
    ) -> bool:
        """The round's events in one ``domain.fanout`` message, in commit order.

        One layer operation per round instead of one per event; every process's hub
        splits it up again. False when the message was refused for another reason
        than an unreachable layer (then each event is sent on its own, so that one
        bad event holds back only its aggregate).
        """
        rows = sorted((pair for chain in plan for pair in chain), key=lambda pair: pair[0].pk)
        addressed = [(domain_message(row), user_ids) for row, user_ids in rows if user_ids]
        if addressed:
            try:
                await send_one(FANOUT_GROUP, fanout_message(addressed))
            except Exception as exc:
                if not isinstance(exc, UNREACHABLE):
                    log.debug("relay_batch_refused", error=type(exc).__name__)
                    return False
                for chain in plan:
                    _failed(outcome, chain, 0, exc)
                return True
        outcome.delivered.extend(row for row, _ in rows)
        return True

    def _finish(self, outcome: _Outcome) -> None:
        if outcome.delivered:
            ids = [row.pk for row in outcome.delivered]
            with transaction.atomic():
                OutboxEvent.objects.filter(pk__in=ids, claimed_by=self.owner).update(
                    status=OutboxEvent.Status.DELIVERED,
                    delivered_at=Now(),
                    claimed_by="",
                    claimed_until=None,
                    last_error="",
                )
                enqueue_deliveries(outcome.delivered)
        for row, error in outcome.failed:
            mark_failed(
                row,
                owner=self.owner,
                error=error,
                max_attempts=self.config["max_attempts"],
                base=self.config["backoff_base"],
                cap=self.config["backoff_cap"],
            )
        release(outcome.released, owner=self.owner)
        if outcome.failed:
            log.warning("relay_round_failures", failed=len(outcome.failed))

    # -- plumbing ------------------------------------------------------------------

    def _run(self, make: Callable[[], Coroutine[Any, Any, T]], rows: list[OutboxEvent]) -> T:
        """Run a coroutine where the channel layer can reach the consumers.

        While it runs, the relay thread renews the lease on ``rows`` every half lease,
        so a short lease (a crashed relay's rows come back quickly) does not hand a
        slow round's rows to another relay.
        """
        every = self.config["lease_seconds"] / 2
        loop = bridge.loop_for(self.layer)
        if loop is not None:
            future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(make(), loop)
            deadline = time.monotonic() + self.config["send_timeout"] * 4
            while True:
                try:
                    return future.result(timeout=max(0.0, min(every, deadline - time.monotonic())))
                except concurrent.futures.TimeoutError:
                    if time.monotonic() >= deadline:
                        future.cancel()
                        raise
                    self._renew(rows)
        task: asyncio.Task[T] = self._loop.create_task(make())
        while True:
            done, _ = self._loop.run_until_complete(asyncio.wait({task}, timeout=every))
            if done:
                return task.result()
            self._renew(rows)

    def _renew(self, rows: list[OutboxEvent]) -> None:
        try:
            renew([row.pk for row in rows], owner=self.owner, lease=self.lease)
        except Exception as exc:  # a lapsed lease means at most a second delivery
            log.warning("relay_renew_failed", error=type(exc).__name__)

    def close(self) -> None:
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()
