"""The events app's background jobs for ``toegang.worker``: relay, NATS, webhooks, pruning."""

from __future__ import annotations

import threading

from toegang import worker

_local = threading.local()


def relay_round() -> int:
    """One relay round in the worker thread (polling; ``manage.py relay`` also LISTENs)."""
    from toegang.events.relay import Relay

    relay = getattr(_local, "relay", None)
    if relay is None:
        relay = _local.relay = Relay()
    return relay.run_once()


def relay_close() -> None:
    relay = getattr(_local, "relay", None)
    if relay is not None:
        _local.relay = None
        relay.close()  # closes its loop, and with it the layer's connections of that loop


def nats_round() -> int:
    """Publish delivered events to NATS, in a lane of its own (a NATS outage delays only NATS)."""
    from toegang.events.nats import NatsLane

    lane = getattr(_local, "nats", None)
    if lane is None:
        lane = _local.nats = NatsLane()
    return lane.run_once()


def nats_close() -> None:
    lane = getattr(_local, "nats", None)
    if lane is not None:
        _local.nats = None
        lane.close()


def webhooks_round() -> int:
    from toegang.events.webhooks import deliver_due

    return deliver_due()


def prune_round() -> int:
    from toegang.events.outbox import outbox_prune

    outbox_prune()
    return 0


def register_worker_jobs() -> None:
    worker.register("relay", relay_round, interval=0.25, close=relay_close)
    worker.register("nats", nats_round, interval=0.5, lane="nats", close=nats_close)
    worker.register("webhooks", webhooks_round, interval=2.0, lane="webhooks")
    worker.register("outbox_prune", prune_round, interval=3600.0)
