"""The audit append on PostgreSQL: one prepared INSERT ... RETURNING id.

``record`` spends most of an ORM ``create`` on building and parsing SQL: the
model's field preparation, psycopg's client-side interpolation of 24 values,
and PostgreSQL parsing and planning the statement again each time. Here the
statement is prepared once per connection (server-side binding) and executed
with its parameters, through Django's cursor wrapper, so query logging,
``execute_wrappers`` and transactions work as for any other query.

Prepared statements need the connection's ``prepare_threshold`` to be set
(``DATABASES["default"]["OPTIONS"]``, see ``toegang/settings/base.py``); Django's
client-side cursors never prepare, so only statements that ask for it are. Behind
a connection pooler in transaction mode (PgBouncer older than 1.21) set
``PREPARED_STATEMENTS = False``.
"""

from __future__ import annotations

import json
import uuid
import weakref
from typing import Any

import psycopg

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.base import ModelState

from audit.models import AuditRecord

#: Columns in INSERT order, each with the type its parameter is cast to.
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("occurred_at", "timestamptz"),
    ("user_id", "bigint"),
    ("username", "text"),
    ("rol", "text"),
    ("organisatie_id", "uuid"),
    ("organisatie_naam", "text"),
    ("api_token_id", "uuid"),
    ("trigger_user_id", "bigint"),
    ("trigger_username", "text"),
    ("huishouden_id", "uuid"),
    ("huishouden_ids", "jsonb"),
    ("persoon_ids", "jsonb"),
    ("actie", "text"),
    ("object_type", "text"),
    ("object_id", "text"),
    ("object_ids", "jsonb"),
    ("velden", "jsonb"),
    ("doel", "text"),
    ("reden", "text"),
    ("noodtoegang", "boolean"),
    ("request_id", "text"),
    ("ip_adres", "inet"),
    ("user_agent", "text"),
    ("uitkomst", "text"),
)
_SQL = (  # nosec B608  # built from the constants above only
    f"INSERT INTO audit_auditrecord ({', '.join(name for name, _ in _COLUMNS)}) "  # noqa: S608  # nosec B608
    f"VALUES ({', '.join(f'%s::{kind}' for _, kind in _COLUMNS)}) RETURNING id"
)
_IP_FIELD = models.GenericIPAddressField(unpack_ipv4=False)  # as AuditRecord.ip_adres
_UUID_FIELD = models.UUIDField()


class _Prepared(psycopg.Cursor):
    """A server-side binding cursor whose statements are prepared."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["prepare"] = settings.PREPARED_STATEMENTS
        return super().execute(query, params, **kwargs)


#: One cursor per database connection (creating a psycopg cursor costs more than using it).
_cursors: weakref.WeakKeyDictionary[Any, _Prepared] = weakref.WeakKeyDictionary()


def _uuid(value: Any) -> Any:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return _UUID_FIELD.to_python(value)


def _json(value: list[Any]) -> str:
    return json.dumps(value) if value else "[]"


def _parameters(values: dict[str, Any]) -> list[Any]:
    params = []
    for name, kind in _COLUMNS:
        value = values[name]
        if kind == "uuid":
            value = _uuid(value)
        elif kind == "jsonb":
            value = _json(value)
        elif kind == "inet" and value:
            value = _IP_FIELD.get_prep_value(value)
        params.append(value)
    return params


def _as_saved(pk: int, values: dict[str, Any], alias: str) -> AuditRecord:
    """The model instance ``create`` would have returned, without ``Model.__init__``
    (its per-field defaults and signals cost more than the INSERT's Python side)."""
    instance = AuditRecord.__new__(AuditRecord)
    instance.__dict__.update(values)
    instance.id = pk
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = alias
    return instance


def insert_pg(db: BaseDatabaseWrapper, values: dict[str, Any]) -> AuditRecord:
    """Insert one record with ``values`` (every column but id) on the connection
    ``db`` (the wrapper itself, not ``django.db.connection``: each attribute of that
    proxy is a context-local look-up); return it as saved."""
    params = _parameters(values)
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw = db.connection
    with db.wrap_database_errors:
        if (prepared := _cursors.get(raw)) is None:
            prepared = _cursors[raw] = _Prepared(raw)
        cursor = db._prepare_cursor(prepared)  # type: ignore[attr-defined]
    cursor.execute(_SQL, params)
    (pk,) = cursor.fetchone()
    return _as_saved(pk, values, db.alias)
