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
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.models.signals import post_save, pre_save

from toegang.prepared import preparing_cursor

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Plan:
    fields: tuple[models.Field[Any, Any], ...]
    sql: str
    returning: models.Field[Any, Any] | None  # the auto primary key, when it is not set


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
            plan = _Plan(fields=fields, sql=sql, returning=returning)
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
    with preparing_cursor(connection) as cursor:
        cursor.execute(plan.sql, params)
        if plan.returning is not None:
            setattr(instance, plan.returning.attname, cursor.fetchone()[0])
    instance._state.adding = False
    instance._state.db = alias
    return instance
