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
    #: Jobs of one lane share a thread; a job that talks to an outside system that may
    #: hang (NATS) gets a lane of its own, so its outage delays nothing else.
    lane: str = "main"
    #: Called in the lane's thread when it stops (closes what the job keeps per thread).
    close: Callable[[], None] | None = None


_JOBS: dict[str, Job] = {}


def register(
    name: str,
    run: Callable[[], int],
    *,
    interval: float,
    lane: str = "main",
    close: Callable[[], None] | None = None,
) -> None:
    """Register a job: ``run()`` does one round and returns how much it did."""
    _JOBS[name] = Job(name=name, run=run, interval=interval, lane=lane, close=close)


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
        for job in jobs():
            if job.close is not None and (not only or job.name in only):
                try:
                    job.close()
                except Exception as exc:
                    log.warning("worker_job_close_failed", job=job.name, error=type(exc).__name__)
        # This thread's own connections: persistent ones (CONN_MAX_AGE) would outlive it,
        # and keep e.g. the test database from being dropped.
        connections.close_all()


def lanes(only: set[str] | None = None) -> dict[str, set[str]]:
    """The job names per lane (restricted to ``only`` when given)."""
    found: dict[str, set[str]] = {}
    for job in jobs():
        if not only or job.name in only:
            found.setdefault(job.lane, set()).add(job.name)
    return found


def start_lanes(stop: threading.Event, only: set[str] | None = None) -> list[threading.Thread]:
    """One thread per lane, each running its jobs until ``stop`` is set."""
    threads = [
        threading.Thread(
            target=run_forever, args=(stop, names), name=f"toegang-worker-{lane}", daemon=True
        )
        for lane, names in lanes(only).items()
    ]
    for thread in threads:
        thread.start()
    return threads


def start_in_thread() -> threading.Event:
    stop = threading.Event()
    start_lanes(stop)
    return stop
