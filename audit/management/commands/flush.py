"""``flush`` that may also empty the append-only audit tables, where allowed.

Django's test runner empties the database with ``flush`` after every
transactional test; the audit triggers refuse that unless ``audit.db.allow_flush``
is active. It is, only where ``settings.AUDIT_ALLOW_FLUSH`` (default: DEMO_MODE)
is true; elsewhere ``flush`` fails on the audit tables and rolls back.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import OperationalError, connections

from audit.db import allow_flush, flush_allowed

#: A TRUNCATE that meets a session still finishing its last query (a server or worker
#: thread of a transactional test) can be chosen as a deadlock victim: try again.
DEADLOCK_RETRIES = 5


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        for attempt in range(DEADLOCK_RETRIES):
            try:
                return self._flush(**options)
            except CommandError as exc:
                deadlock = isinstance(exc.__cause__, OperationalError) and (
                    "deadlock" in str(exc.__cause__)
                )
                if not deadlock or attempt == DEADLOCK_RETRIES - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def _flush(self, **options: Any) -> None:
        if not flush_allowed():
            return super().handle(**options)
        connection = connections[options["database"]]
        with allow_flush(connection):
            return super().handle(**options)
