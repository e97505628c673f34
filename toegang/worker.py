"""Background jobs: the outbox relay, the audit sealer, expiry of access.

Each app registers its periodic jobs here (``register``) from its AppConfig.
``python manage.py worker`` runs them in production; the embedded default runs
them in a thread of the web process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connections

from toegang.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], int]
    interval: float


_JOBS: dict[str, Job] = {}


def register(name: str, run: Callable[[], int], *, interval: float) -> None:
    """Register a job: ``run()`` does one round and returns how much it did."""
    _JOBS[name] = Job(name=name, run=run, interval=interval)


def jobs() -> list[Job]:
    return list(_JOBS.values())


def run_forever(stop: threading.Event, only: set[str] | None = None) -> None:
    """Run every registered job on its interval until ``stop`` is set."""
    due: dict[str, float] = {}
    try:
        while not stop.is_set():
            now = time.monotonic()
            for job in jobs():
                if only and job.name not in only:
                    continue
                if due.get(job.name, 0.0) > now:
                    continue
                close_old_connections()
                try:
                    done = job.run()
                except Exception as exc:
                    log.error("worker_job_failed", job=job.name, error=type(exc).__name__)
                    done = 0
                # Busy jobs run again at once; idle ones wait their interval.
                due[job.name] = now if done else now + job.interval
            stop.wait(0.05)
    finally:
        # This thread's own connections: persistent ones (CONN_MAX_AGE) would outlive it,
        # and keep e.g. the test database from being dropped.
        connections.close_all()


def start_in_thread() -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(stop,), name="toegang-worker", daemon=True)
    thread.start()
    return stop
