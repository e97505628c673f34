"""``insert(instance)``: ``instance.save(force_insert=True)`` from SQL built once per model.

A signal's intake writes five rows through the ORM (data key, household, gezinslid,
signal, outbox event). Each ``save`` builds an ``InsertQuery``, compiles it field by
field and sends it for PostgreSQL to parse and plan again; that is most of an
insert's CPU in both processes. Here the statement of a model is built once, and
each insert only prepares its values the way the compiler does (``pre_save``, so
``auto_now_add``, sealed fields and blind indexes behave as in ``save``, then
``get_db_prep_save``) and runs it as a prepared statement (``toegang.prepared``).

It is ``save`` whenever that could differ: not on PostgreSQL, for a model with its
own ``save``, with ``pre_save``/``post_save`` receivers, with parents (multi-table
inheritance) or generated fields, and for a value that is an expression.

Inside ``batched()`` (the intake's transaction) the rows whose primary key is set are
held back and sent together, as one statement, just before the next statement on the
connection: the data key, household, gezinslid and signal of an intake take one round
trip instead of four.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models.signals import post_save, pre_save

from toegang.prepared import preparing_cursor

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Plan:
    fields: tuple[models.Field[Any, Any], ...]
    sql: str
    returning: models.Field[Any, Any] | None  # the auto primary key, when it is not set
    #: No ``%`` but its placeholders (names are quoted, not escaped): ``batched`` may
    #: number them.
    batchable: bool = True


_plans: dict[tuple[type[models.Model], bool, str], _Plan | None] = {}
_lock = threading.Lock()


def _plan(model: type[models.Model], pk_set: bool, connection: Any) -> _Plan | None:
    key = (model, pk_set, connection.alias)
    if key in _plans:
        return _plans[key]
    with _lock:
        meta = model._meta
        plan = None
        if (
            model.save is models.Model.save
            and not meta.parents
            and not any(getattr(f, "generated", False) for f in meta.concrete_fields)
        ):
            fields = tuple(
                f for f in meta.local_concrete_fields if pk_set or f is not meta.auto_field
            )
            quote = connection.ops.quote_name
            columns = ", ".join(quote(f.column) for f in fields)
            values = ", ".join(["%s"] * len(fields))
            returning = None if pk_set or meta.auto_field is None else meta.auto_field
            sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608  # nosec B608  # names from the model's meta only
            if returning is not None:
                sql += f" RETURNING {quote(returning.column)}"
            plan = _Plan(fields, sql, returning, batchable="%" not in sql.replace("%s", ""))
        _plans[key] = plan
        return plan


def insert(instance: M, *, using: str | None = None) -> M:
    """Insert ``instance`` as ``save(force_insert=True, using=using)`` would; returns it."""
    model = type(instance)
    alias = using or router.db_for_write(model, instance=instance)
    connection = connections[alias]
    meta = model._meta
    plan = None
    if (
        connection.vendor == "postgresql"
        and not pre_save.has_listeners(model)
        and not post_save.has_listeners(model)
    ):
        pk_set = meta.auto_field is None or getattr(instance, meta.auto_field.attname) is not None
        plan = _plan(model, pk_set, connection)
    if plan is None:
        instance.save(force_insert=True, using=alias)
        return instance
    params = []
    for field in plan.fields:
        value = field.pre_save(instance, True)
        if hasattr(value, "resolve_expression"):
            instance.save(force_insert=True, using=alias)
            return instance
        params.append(field.get_db_prep_save(value, connection))
    batch: _Batch | None = getattr(connection, "_insert_batch", None)
    if batch is not None and not plan.batchable:
        batch.flush()
        batch = None
    if batch is not None and plan.returning is None:
        batch.add(plan, params)
    elif batch is not None and plan.returning is not None:
        # The rows held back go along, in front of this one: still one statement.
        setattr(instance, plan.returning.attname, batch.send(plan, params))
    else:
        with preparing_cursor(connection) as cursor:
            cursor.execute(plan.sql, params)
            if plan.returning is not None:
                setattr(instance, plan.returning.attname, cursor.fetchone()[0])
    instance._state.adding = False
    instance._state.db = alias
    return instance


#: At most this many rows wait in a batch; the next one sends them first.
BATCH_ROWS = 8
_combined: dict[tuple[str, ...], str] = {}


def _statement(sqls: tuple[str, ...]) -> str:
    """One statement for the INSERTs ``sqls``: all but the last as data-modifying WITH
    queries (the last one's RETURNING is the statement's), with PostgreSQL's own
    placeholders ($1, $2, ...). Every one of them runs, whatever refers to what."""
    sql = _combined.get(sqls)
    if sql is None:
        *first, last = sqls
        sql = last
        if first:
            queries = ", ".join(f"row_{n} AS ({one})" for n, one in enumerate(first))
            sql = f"WITH {queries} {last}"
        parts = sql.split("%s")
        sql = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
        _combined[sqls] = sql
    return sql


class _RawCursor(psycopg.RawCursor):  # type: ignore[type-arg]
    """Takes the statement as it is ($1 placeholders): psycopg parses the ``%s`` of a
    statement with more than 50 parameters anew on every execution (the intake's rows
    and outbox row have 67). Prepared, as ``toegang.prepared``'s, when
    ``PREPARED_STATEMENTS`` is on."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if getattr(settings, "PREPARED_STATEMENTS", True):
            kwargs["prepare"] = True
        return super().execute(query, params, **kwargs)


def _raw_cursor(connection: Any) -> Any:
    """A cursor of ``connection`` (Django's wrapper: query log, execute wrappers, errors)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_RawCursor(connection.connection))


class _Batch:
    """The rows ``insert`` holds back in a ``batched`` block, and their parameters."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.sqls: list[str] = []
        self.params: list[Any] = []

    def add(self, plan: _Plan, params: list[Any]) -> None:
        if len(self.sqls) >= BATCH_ROWS:
            self.flush()
        self.sqls.append(plan.sql)
        self.params.extend(params)

    def flush(self) -> None:
        if not self.sqls:
            return
        sql, params = _statement(tuple(self.sqls)), self.params
        self.sqls, self.params = [], []
        with _raw_cursor(self.connection) as cursor:
            cursor.execute(sql, params)

    def send(self, plan: _Plan, params: list[Any]) -> Any:
        """The rows held back and then ``plan``'s row, in one statement; its RETURNING."""
        if len(self.sqls) >= BATCH_ROWS:
            self.flush()
        sql = _statement((*self.sqls, plan.sql))
        params = [*self.params, *params]
        self.sqls, self.params = [], []
        with _raw_cursor(self.connection) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def before(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        """Execute wrapper: the held-back rows go first, so every statement sees them."""
        self.flush()
        return execute(sql, params, many, context)


@contextmanager
def batched(using: str | None = None) -> Iterator[None]:
    """Hold back the rows ``insert`` writes in this block whose primary key is set, and
    send them as one statement before the next statement on the connection (every query
    of the block sees them, as it would have) or at the end of the block. A row whose
    key the database makes (``RETURNING``) takes them along in front of it.

    For a block inside a transaction that its exception rolls back (a service's
    ``transaction.atomic``): rows still held back when the block raises are dropped.
    The error of a held-back row (a unique index) comes from the statement that sends
    it. The foreign keys are checked at the end of that statement or, as Django makes
    them (DEFERRABLE INITIALLY DEFERRED), at commit: the order of the rows does not
    matter. Elsewhere than on PostgreSQL, outside a transaction and nested, it changes
    nothing.
    """
    connection = connections[using or DEFAULT_DB_ALIAS]
    if (
        connection.vendor != "postgresql"
        or not connection.in_atomic_block
        or getattr(connection, "_insert_batch", None) is not None
    ):
        yield
        return
    batch = _Batch(connection)
    connection._insert_batch = batch  # type: ignore[attr-defined]
    try:
        with connection.execute_wrapper(batch.before):
            yield
            batch.flush()
    finally:
        connection._insert_batch = None  # type: ignore[attr-defined]
