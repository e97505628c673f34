"""The worker's cost per event, in process: the relay and the monitor projection.

    python -m bench.request_profile signaal-identified --requests 500   # makes outbox rows
    python -m bench.worker_profile --events 500 --batch 5 --batch 100

Uses the database that ``bench.request_profile`` prepared (same ``--database-url``,
``--redis-url`` and ``--folder``): it sets the newest ``--events`` outbox rows back to
pending and unprojected (and forgets their journal entries and facts), then, per
``--batch``, drains them with the relay (``Relay.run_once``, fan-out to the Redis
channel layer) and with the monitor's ``consume_round``, and prints CPU ms and queries
per event for each. Under load the worker's rounds are small (it runs again every
50 ms), so a small batch is the realistic one. Asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.load import parse_with_targets


def _reset(ids: list[int]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE events_outboxevent SET status = 'pending', delivered_at = NULL, "
            "projected_at = NULL, claimed_by = '', claimed_until = NULL, attempts = 0, "
            "next_attempt_at = now() WHERE id = ANY(%s)",
            [ids],
        )
        cursor.execute(
            "DELETE FROM monitor_signaalfeit WHERE signaal_id::text IN "
            "(SELECT aggregate_id FROM events_outboxevent WHERE id = ANY(%s))",
            [ids],
        )
        cursor.execute("DELETE FROM monitor_gebeurtenis WHERE volgnummer = ANY(%s)", [ids])


def _measure(name: str, batch: int, drain: Callable[[], int], profile: int) -> None:
    from django.db import connection

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    rounds = done = 0
    profiler = cProfile.Profile() if profile else None
    with connection.execute_wrapper(count):
        cpu = time.process_time()
        if profiler:
            profiler.enable()
        while n := drain():
            rounds += 1
            done += n
        if profiler:
            profiler.disable()
        cpu = time.process_time() - cpu
    print(
        f"{name:<8} batch {batch:>4}: {done} events in {rounds} rounds, "
        f"CPU {cpu / max(done, 1) * 1000:.3f} ms and {queries[0] / max(done, 1):.2f} queries "
        f"per event"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--batch", type=int, action="append")
    parser.add_argument("--profile", type=int, default=0, help="print the top N of cProfile")
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "toegang-profile"
    )
    args = parse_with_targets(parser, "PROFILE", "toegang_profile")
    from bench.request_profile import _prepare

    args.fresh = False
    os.environ.update(_prepare(args))
    import django

    django.setup()
    from monitor import projection
    from toegang.events.models import OutboxEvent
    from toegang.events.relay import Relay

    ids = list(OutboxEvent.objects.order_by("-id").values_list("pk", flat=True)[: args.events])
    if len(ids) < args.events:
        print(f"only {len(ids)} outbox rows: run bench.request_profile first", file=sys.stderr)
    for batch in args.batch or [5, 100]:
        _reset(ids)
        relay = Relay(batch_size=batch)
        try:
            _measure("relay", batch, relay.run_once, args.profile)
        finally:
            relay.close()
        _measure("monitor", batch, lambda b=batch: projection.consume_round(batch=b), args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
