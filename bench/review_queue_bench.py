"""Review queue figures: the page's cost before (alerts computed per view) and now (read).

    python -m bench.review_queue_bench                     # SQLite, 100k casus reads
    DATABASE_URL=postgres://... python -m bench.review_queue_bench --records 1000000

Generates casus reads by a few users over the review period, then measures in the
same run: the alert computation each view of the queue used to do, the queue as it
is now (stored alerts read), and one run of the worker job ``audit_alerts``.
Prints figures and their ratio; asserts nothing. Its own database, dropped after.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from datetime import timedelta

from bench.audit_bench import in_own_database


def _fill(records: int, users: int) -> None:
    from django.utils import timezone

    from audit.models import AuditRecord
    from audit.services import record

    template = record(actor=None, actie="read", doel="casusbehandeling", object_type="casus")
    fields = {f.name: getattr(template, f.name) for f in AuditRecord._meta.fields}
    fields.pop("id")
    rng = random.Random(7)
    casussen = [uuid.uuid4() for _ in range(2000)]
    now, span = timezone.now(), timedelta(days=29).total_seconds()
    batch: list[AuditRecord] = []
    for _ in range(records):
        user = rng.randrange(1, users + 1)
        batch.append(
            AuditRecord(
                **{
                    **fields,
                    "user_id": user,
                    "username": f"medewerker{user}",
                    "object_id": str(rng.choice(casussen)),
                    "huishouden_id": rng.choice(casussen),
                    "occurred_at": now - timedelta(seconds=rng.random() * span),
                }
            )
        )
        if len(batch) == 5000:
            AuditRecord.objects.bulk_create(batch)
            batch = []
    AuditRecord.objects.bulk_create(batch)


def _median(fn, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="casus reads to generate")
    parser.add_argument("--users", type=int, default=40, help="users reading them")
    in_own_database(_run, parser.parse_args(argv))


def _run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.utils import timezone

    from audit import alerts
    from audit.models import AuditAlert
    from audit.review import review_queue

    _fill(args.records, args.users)
    print(f"database: {connection.vendor}; {args.records:,} casus reads by {args.users} users")
    since = timezone.now() - timedelta(days=30)
    job = _median(alerts.store_job, rounds=1)  # also warms the caches both sides use
    before_runs, now_runs = [], []
    for _ in range(3):  # interleaved rounds: load on the machine hits both alike
        before_runs.append(_median(lambda: alerts.alle(since), rounds=1))
        now_runs.append(_median(review_queue, rounds=1))
    before, now = statistics.median(before_runs), statistics.median(now_runs)
    print(f"alerts computed per view (before, on top of the rest): {before * 1000:,.0f} ms")
    print(f"whole review queue now (stored alerts read): {now * 1000:,.0f} ms")
    print(f"worker job audit_alerts, one run: {job * 1000:,.0f} ms")
    print(
        f"stored alerts: {AuditAlert.objects.count():,}; queue before (now + alerts) / now: "
        f"{(before + now) / now:.1f}x"
    )


if __name__ == "__main__":
    main()
