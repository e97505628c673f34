"""Waking the relay: PostgreSQL ``LISTEN`` with a timeout, or plain polling elsewhere."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

from toegang.events.outbox import NOTIFY_CHANNEL
from toegang.logging import get_logger

log = get_logger(__name__)


class Waiter:
    """``wait(timeout)`` returns early when an emitting transaction commits (PostgreSQL)."""

    def __init__(self) -> None:
        self._conn: Any = None
        self._next_try = 0.0

    def _listen(self) -> Any:
        if connection.vendor != "postgresql":
            return None
        if self._conn is not None and not self._conn.closed:
            return self._conn
        if time.monotonic() < self._next_try:
            return None
        import psycopg

        settings_dict = connection.settings_dict
        params = {
            "dbname": settings_dict["NAME"],
            "user": settings_dict.get("USER") or None,
            "password": settings_dict.get("PASSWORD") or None,
            "host": settings_dict.get("HOST") or None,
            "port": settings_dict.get("PORT") or None,
        }
        try:
            self._conn = psycopg.connect(
                **{k: v for k, v in params.items() if v}, autocommit=True, connect_timeout=5
            )
            self._conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except Exception as exc:
            log.warning("relay_listen_failed", error=type(exc).__name__)
            self._conn = None
            self._next_try = time.monotonic() + 10
        return self._conn

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds; True if a NOTIFY arrived."""
        conn = self._listen()
        if conn is None:
            time.sleep(timeout)
            return False
        try:
            woke = any(True for _ in conn.notifies(timeout=timeout, stop_after=1))
            # Drain notifications that arrived meanwhile: one round handles them all.
            for _ in conn.notifies(timeout=0):
                pass
            return woke
        except Exception as exc:
            log.warning("relay_listen_lost", error=type(exc).__name__)
            self.close()
            return False

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception as exc:
                log.debug("relay_listen_close_failed", error=type(exc).__name__)
            self._conn = None
