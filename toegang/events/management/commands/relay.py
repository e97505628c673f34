"""``python manage.py relay``: deliver outbox events until stopped (several may run at once)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from toegang import worker
from toegang.events.listen import Waiter
from toegang.events.nats import NatsLane
from toegang.events.relay import Relay
from toegang.logging import get_logger

log = get_logger(__name__)

SIDE_JOBS = {"nats", "webhooks", "outbox_prune"}
#: Pause after a failed round (the database went away) before the next try.
RETRY_SECONDS = 0.5


class Command(BaseCommand):
    help = "Lever uitgaande gebeurtenissen af (outbox-relay) tot een stopsignaal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument(
            "--poll-interval",
            type=float,
            default=1.0,
            help="Seconden tussen rondes zonder NOTIFY (PostgreSQL) of altijd (SQLite).",
        )
        parser.add_argument("--once", action="store_true", help="Eén ronde tot de outbox leeg is.")
        parser.add_argument(
            "--no-webhooks", action="store_true", help="Webhooks niet in dit proces afleveren."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        overrides = {"batch_size": options["batch_size"]} if options["batch_size"] else {}
        relay = Relay(**overrides)
        if options["once"]:
            total = 0
            while done := relay.run_once():
                total += done
            relay.close()
            lane = NatsLane()
            while lane.run_once():
                pass
            lane.close()
            self.stdout.write(f"{total} gebeurtenissen verwerkt.")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        # NATS, webhooks and pruning each in a thread of their own: an outage of one
        # of those sinks never holds up the delivery to browsers in this loop.
        worker.start_lanes(stop, {"nats"} if options["no_webhooks"] else SIDE_JOBS)
        waiter = Waiter()
        log.info("relay_started", owner=relay.owner)
        try:
            self._loop(relay, waiter, stop, options["poll_interval"])
        finally:
            waiter.close()
            relay.close()
            log.info("relay_stopped", owner=relay.owner)

    def _loop(self, relay: Relay, waiter: Waiter, stop: threading.Event, poll: float) -> None:
        while not stop.is_set():
            close_old_connections()
            try:
                done = relay.run_once()
            except Exception as exc:
                log.error("relay_round_failed", error=type(exc).__name__)
                done = 0
                stop.wait(RETRY_SECONDS)
            if relay.outage.down:
                stop.wait(0.1)  # the relay probes the layer on its own schedule (≤ 1 s)
            elif done < relay.config["batch_size"]:
                waiter.wait(poll)
