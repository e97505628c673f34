"""``flush`` that may also empty the append-only audit tables, where allowed.

Django's test runner empties the database with ``flush`` after every
transactional test; the audit triggers refuse that unless ``audit.db.allow_flush``
is active. It is, only where ``settings.AUDIT_ALLOW_FLUSH`` (default: DEMO_MODE)
is true; elsewhere ``flush`` fails on the audit tables and rolls back.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from audit.db import allow_flush, flush_allowed


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if not flush_allowed():
            return super().handle(**options)
        connection = connections[options["database"]]
        with allow_flush(connection):
            return super().handle(**options)
