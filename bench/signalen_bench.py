"""Signal intake: cost of one signal, and whether a partner's flood slows the consultants.

    python -m bench.signalen_bench
    DATABASE_URL=postgres://... REDIS_URL=redis://... python -m bench.signalen_bench

Runs on a throw-away test database with the demo data. Measures, in one process:

1. ``signaal_receive`` per signal (anonymous and identified: matching + sealing);
2. the consultants' pages (the intake queue, "Mijn casussen") alone: the baseline;
3. the same pages while partner-system threads flood ``POST /api/v1/signalen``
   with the API client rate limit on (the default), and with it effectively off.

Prints medians, 95th percentiles and ratios against the baseline of this run;
asserts nothing.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

BASELINE_REQUESTS = 100
FLOOD_THREADS = 4
#: Offered load of the flood, requests per second over all threads (paced, not "as fast as").
FLOOD_RATE = 24
WARMUP = 10


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def _timed(fn: Callable[[], Any], n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def bench_receive() -> None:
    from signalen.services import signaal_receive
    from toegang.models import User

    melder = User.objects.get(username="huisarts")
    anoniem = {
        "toestemming": "zonder_toestemming",
        "leefgebieden": ["eenzaamheid"],
        "omschrijving": "Een bezoeker komt nauwelijks buiten.",
    }
    counter = iter(range(10**6))

    def identified() -> None:
        n = next(counter)
        signaal_receive(
            melder=melder,
            data={
                "toestemming": "met_toestemming",
                "inwoner": {
                    "voornaam": "Bench",
                    "achternaam": f"Persoon{n}",
                    "geboortedatum": "1970-01-01",
                    "postcode": "3881 AB",
                    "huisnummer": str(n % 500 + 1),
                },
                "leefgebieden": ["financien"],
                "omschrijving": "Schulden en stress.",
            },
        )

    for label, fn in (
        ("anoniem", lambda: signaal_receive(melder=melder, data=anoniem)),
        ("met gegevens", identified),
    ):
        _timed(fn, 5)
        median, p95 = _percentiles(_timed(fn, 60))
        print(f"signaal_receive {label:<13} median {median:7.2f} ms   p95 {p95:7.2f} ms")


class Flood:
    """Threads posting signals as one partner API client until stopped."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.stop = threading.Event()
        self.codes: dict[int, int] = {}
        self.spent: dict[int, list[float]] = {}
        self.cpu: dict[int, list[float]] = {}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run) for _ in range(FLOOD_THREADS)]

    def run(self) -> None:
        from django.db import connection
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Bearer {self.token}")
        body = json.dumps(
            {
                "toestemming": "zonder_toestemming",
                "leefgebieden": ["wonen"],
                "omschrijving": "Flood",
            }
        )
        interval = FLOOD_THREADS / FLOOD_RATE
        next_at = time.perf_counter()
        try:
            while not self.stop.is_set():
                start, cpu = time.perf_counter(), time.thread_time()
                code = client.post(
                    "/api/v1/signalen", data=body, content_type="application/json"
                ).status_code
                spent, cpu = time.perf_counter() - start, time.thread_time() - cpu
                with self.lock:
                    self.codes[code] = self.codes.get(code, 0) + 1
                    self.spent.setdefault(code, []).append(spent)
                    self.cpu.setdefault(code, []).append(cpu)
                next_at += interval
                self.stop.wait(max(0.0, next_at - time.perf_counter()))
        finally:
            connection.close()

    def __enter__(self) -> Flood:
        for thread in self.threads:
            thread.start()
        time.sleep(0.5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def bench_flood() -> None:
    from django.core.cache import cache
    from django.test import Client
    from rest_framework.throttling import SimpleRateThrottle

    from signalen.services import partner_client_create
    from toegang.models import Organisatie, User

    teamleider = Client()
    from tests.auth import verified_login

    verified_login(teamleider, User.objects.get(username="teamleider"))
    consulent = Client()
    verified_login(consulent, User.objects.get(username="consulent"))

    def consultant_side() -> None:
        assert teamleider.get("/signalen/aanmeldingen/").status_code == 200
        assert consulent.get("/casussen/").status_code == 200

    _timed(consultant_side, WARMUP)
    base_median, base_p95 = _percentiles(_timed(consultant_side, BASELINE_REQUESTS))
    print(f"flood offered: {FLOOD_RATE} req/s from one partner client in {FLOOD_THREADS} threads")
    alone = f"median {base_median:7.2f} ms   p95 {base_p95:7.2f} ms"
    print(f"consultants' pages, alone                 {alone}")

    organisatie = Organisatie.objects.filter(mag_bsn_verwerken=True).first()
    rates = dict(SimpleRateThrottle.THROTTLE_RATES)
    for label, rate in (
        ("flood, limit 120/min", "120/min"),
        ("flood, no real limit", "100000/min"),
    ):
        cache.clear()
        SimpleRateThrottle.THROTTLE_RATES = {**rates, "api_client": rate}
        _client, issued = partner_client_create(
            username=f"bench-{rate.split('/')[0]}", organisatie=organisatie, by=None
        )
        with Flood(issued.plaintext) as flood:
            start = time.perf_counter()
            median, p95 = _percentiles(_timed(consultant_side, BASELINE_REQUESTS))
            seconds = time.perf_counter() - start
        print(
            f"consultants' pages, {label}  median {median:7.2f} ms   p95 {p95:7.2f} ms   "
            f"x{median / base_median:4.2f} / x{p95 / base_p95:4.2f} of alone"
        )
        for code, spent in sorted(flood.spent.items()):
            cpu = statistics.median(flood.cpu[code]) * 1000
            print(
                f"    flood answers {code}: {len(spent):5d} ({len(spent) / seconds:5.1f}/s), "
                f"median {statistics.median(spent) * 1000:6.2f} ms wall, {cpu:6.2f} ms CPU"
            )
    SimpleRateThrottle.THROTTLE_RATES = rates


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.test")
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("demo", stdout=StringIO())
        print(
            f"database: {connection.vendor}; cache: "
            f"{'redis' if os.environ.get('REDIS_URL') else 'local memory'}; "
            f"python {sys.version.split()[0]}; {FLOOD_THREADS} flood threads"
        )
        bench_receive()
        bench_flood()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
