"""Outage state of the parts the platform can live without for a while (Redis, NATS).

One :class:`Outage` per part and process. Callers report each failure and each
success; the outage logs one line when it starts and one when it ends (with its
length), never one per attempt, and works as a short circuit breaker: while a
part is known to be down, :meth:`Outage.should_try` says no until the next probe
is due, so a request does not wait for a connect timeout every time. Probes back
off from ``probe_first`` to ``probe_last`` seconds, capped low so that service
resumes within about a second of the part's return.
"""

from __future__ import annotations

import threading
import time

from toegang.logging import get_logger

log = get_logger(__name__)


class Outage:
    """Thread-safe up/down state of one part, with capped probe back-off."""

    def __init__(self, part: str, *, probe_first: float = 0.25, probe_last: float = 1.0):
        self.part = part
        self.probe_first = probe_first
        self.probe_last = probe_last
        self._lock = threading.Lock()
        self._down_since: float | None = None  # time.time() of the first failure
        self._next_probe = 0.0  # time.monotonic()
        self._delay = probe_first
        self._error = ""

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def should_try(self) -> bool:
        """True when the part is up, or down and due for the next probe."""
        if self._down_since is None:
            return True
        with self._lock:
            if time.monotonic() < self._next_probe:
                return False
            # One caller probes; the others keep skipping until it reports.
            self._next_probe = time.monotonic() + self._delay
            return True

    def failed(self, exc: BaseException) -> None:
        """Report a failure that means the part is unreachable."""
        error = type(exc).__name__
        with self._lock:
            started = self._down_since is None
            if started:
                self._down_since = time.time()
                self._delay = self.probe_first
            else:
                self._delay = min(self.probe_last, self._delay * 2)
            self._next_probe = time.monotonic() + self._delay
            self._error = error
        if started:
            log.warning("outage_started", part=self.part, error=error)

    def succeeded(self) -> None:
        """Report that the part answered."""
        if self._down_since is None:
            return
        with self._lock:
            since, self._down_since = self._down_since, None
            self._delay = self.probe_first
            self._next_probe = 0.0
        if since is not None:
            log.warning("outage_ended", part=self.part, seconds=round(time.time() - since, 1))


_registry: dict[str, Outage] = {}
_registry_lock = threading.Lock()


def outage(part: str, *, key: str = "", **options: float) -> Outage:
    """The process-wide outage state of ``part`` (one per ``key``, e.g. per server)."""
    with _registry_lock:
        found = _registry.get(f"{part}|{key}")
        if found is None:
            found = _registry[f"{part}|{key}"] = Outage(part, **options)
        return found


def parts_down() -> set[str]:
    """The parts this process currently knows to be down."""
    with _registry_lock:
        return {item.part for item in _registry.values() if item.down}
