"""Append-only enforcement in the database itself.

PostgreSQL: a row trigger refuses every UPDATE and DELETE on the audit tables,
and a statement trigger refuses TRUNCATE unless the session set
``audit.allow_truncate = on`` (only ``flush`` does that, and only where
``settings.AUDIT_ALLOW_FLUSH`` is true: tests and the demo).

SQLite: BEFORE UPDATE/DELETE triggers ``RAISE(ABORT)``. A DELETE is let through
only while the SQL function ``audit_flush_allowed()`` answers 1, which the
application registers on its own connections and sets only inside ``flush``;
any other client (the sqlite3 shell) has no such function, so its DELETE fails.
SQLite drops triggers when Django rebuilds a table, so ``post_migrate``
reinstalls them (idempotent).

The superuser of a database can always switch triggers off; that is what the
sealed hash chain and the exported seal hashes are for (``audit_verify``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("audit_auditrecord", "audit_auditseal", "audit_auditreview")
MESSAGE = "audit tables are append-only"

_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('audit.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{MESSAGE}: TRUNCATE on %', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

_PG_TABLE = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
"""

_SQLITE_TABLE = """
CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{message}: UPDATE on {table}'); END;
CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
WHEN audit_flush_allowed() IS NOT 1
BEGIN SELECT RAISE(ABORT, '{message}: DELETE on {table}'); END;
"""


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """Create (or re-create) the append-only triggers on the audit tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTIONS)
            for table in TABLES:
                cursor.execute(_PG_TABLE.format(table=table))
        elif connection.vendor == "sqlite":
            existing = set(connection.introspection.table_names(cursor))
            for table in TABLES:
                if table not in existing:
                    continue
                for statement in _SQLITE_TABLE.format(table=table, message=MESSAGE).split("END;"):
                    if statement.strip():
                        cursor.execute(statement + "END;")


def remove_triggers(connection: BaseDatabaseWrapper) -> None:
    """Reverse of ``install_triggers`` (for migrating backwards only)."""
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            elif connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")
            cursor.execute("DROP FUNCTION IF EXISTS audit_refuse_truncate()")


# --- SQLite: the per-connection switch behind audit_flush_allowed() ---------

_flush_state = threading.local()


def _sqlite_flush_allowed() -> int:
    return 1 if getattr(_flush_state, "allowed", False) else 0


def register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: give our SQLite connections the switch."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "audit_flush_allowed", 0, _sqlite_flush_allowed, deterministic=False
        )


def flush_allowed() -> bool:
    return bool(getattr(settings, "AUDIT_ALLOW_FLUSH", getattr(settings, "DEMO_MODE", False)))


@contextmanager
def allow_flush(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Let ``flush`` empty the audit tables on ``connection`` (tests, demo only)."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audit.allow_truncate', 'on', false)")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('audit.allow_truncate', '', false)")
    else:
        _flush_state.allowed = True
        try:
            yield
        finally:
            _flush_state.allowed = False
