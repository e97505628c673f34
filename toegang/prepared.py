"""Hot look-ups compiled to SQL once per process, then run with new values.

Django turns a queryset into SQL on every evaluation. For the look-ups every request
makes, that is most of their CPU: the API token's (three tables) compiles in about
0.7 ms and runs in 0.1 ms; the case list's in 2 ms of its 4. ``PreparedQueries.run``
compiles the queryset of one *shape* once, with marker values in place of the
caller's, notes where the markers landed among the SQL's parameters, and from then on
runs that SQL with the caller's values in their places. Rows become model instances
the way the queryset makes them (``select_related`` and annotations included), and
its ``prefetch_related`` lookups run as usual.

The rules that keep this exact:

* ``build`` makes the same SQL for any values: it must not branch on them (put what
  it branches on in the shape);
* values are ``str``, ``int``, ``uuid.UUID`` or aware ``datetime``, of exactly that
  type, and reach the SQL unchanged: an equality or range lookup, ``in`` a subquery;
  a value a lookup rewrites (``icontains``) or inlines (slice bounds) is not found
  among the parameters, and that shape then runs as a plain queryset, as do other
  kinds of rows (``values()``, named tuples), any other database than PostgreSQL and
  any other type of value;
* rows are model instances, ``values_list(...)`` tuples or ``values_list(...,
  flat=True)`` values;
* the result is a list, never a queryset: a queryset cannot be refined afterwards.

On PostgreSQL the SQL also runs as a prepared statement (server-side binding,
``prepare=True``): PostgreSQL then parses and plans it once per connection instead
of per request (the case list's plan took longer than running it). Behind a
connection pooler that cannot keep prepared statements (PgBouncer in transaction mode
before 1.21) set ``PREPARED_STATEMENTS = False``; the SQL is then still compiled once.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable

from toegang.logging import get_logger

log = get_logger(__name__)

R = TypeVar("R")  # a row: a model instance, a values_list tuple or a flat value

#: What rows may become: model instances, the tuples of ``values_list()`` (no model
#: instance per row: the case list's API rows), or the one column of ``flat=True``.
_ITERABLES = (ModelIterable, ValuesListIterable, FlatValuesListIterable)

#: The types a value may have (exactly); PostgreSQL receives them as they are.
KINDS = (str, int, uuid.UUID, datetime)


def _marker(kind: type, index: int) -> Any:
    """A value of ``kind`` that no query would hold by chance."""
    if kind is str:
        return f"prepared-marker-{index}-{uuid.uuid4().hex}"
    if kind is int:  # inside a 32-bit column's range: Django drops lookups beyond it
        return -1_000_000_000 - uuid.uuid4().int % 100_000_000 - index
    if kind is uuid.UUID:
        return uuid.uuid4()
    return datetime(1001, 1, 1, tzinfo=UTC).replace(microsecond=uuid.uuid4().int % 999_999)


def _usable(value: Any) -> bool:
    kind = type(value)
    if kind is datetime:
        return value.tzinfo is not None
    return kind in KINDS


@dataclass(frozen=True)
class _Compiled:
    template: QuerySet[Any, Any]
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, ...], ...]  # per value: where it goes among the parameters
    #: The row converters of the selected columns (``from_db_value`` and the like).
    #: Django asks each column's field and the backend for them on every execution
    #: (about 30 µs per column); they depend on the fields and the vendor only.
    converters: dict[int, Any]
    #: Whether a selected column is a composite key (Django checks every column of
    #: every execution for it); it depends on the columns only.
    composite: bool


class _Preparing:
    """A Django connection whose cursors bind on the server and prepare what they run.

    Everything else is the connection itself, so Django's cursor wrapper (query log,
    execute wrappers, error translation) applies as to any other query.
    """

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def cursor(self) -> Any:
        connection = self._connection
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        with connection.wrap_database_errors:
            return connection._prepare_cursor(_PreparedCursor(connection.connection))


class _PreparedCursor(psycopg.Cursor):  # type: ignore[type-arg]
    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["prepare"] = True
        return super().execute(query, params, **kwargs)


def preparing_cursor(connection: Any) -> Any:
    """A cursor of ``connection`` (Django's wrapper around it) whose statements are
    prepared; a plain one when ``PREPARED_STATEMENTS`` is off."""
    if not getattr(settings, "PREPARED_STATEMENTS", True):
        return connection.cursor()
    return _Preparing(connection).cursor()


class _Run:
    """What the row iterables read of a queryset, with a compiler that has its SQL."""

    def __init__(self, compiled: _Compiled, compiler: Any) -> None:
        self.db = compiled.template.db
        self.model = compiled.template.model
        self._known_related_objects = compiled.template._known_related_objects  # type: ignore[attr-defined]
        self.query = self
        self._compiler = compiler

    def get_compiler(self, *_args: Any, **_kwargs: Any) -> Any:
        return self._compiler


class PreparedQueries:
    """Compiled SQL per shape and database; one instance per module that uses it."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[Hashable, tuple[type, ...]], _Compiled | None] = {}
        self._lock = threading.Lock()

    def run(
        self,
        shape: Hashable,
        build: Callable[..., QuerySet[Any, R]],
        values: Sequence[Any],
    ) -> list[R]:
        """``list(build(*values))``, from SQL compiled once per ``shape``."""
        if not all(_usable(value) for value in values):
            return list(build(*values))
        kinds = tuple(type(value) for value in values)
        key = (shape, kinds)
        if key in self._compiled:
            compiled = self._compiled[key]
        else:
            compiled = self._compile(key, build, kinds)
        if compiled is None or connections[compiled.template.db].vendor != "postgresql":
            return list(build(*values))
        params = list(compiled.params)
        for value, slots in zip(values, compiled.slots, strict=True):
            for slot in slots:
                params[slot] = value
        return self._execute(compiled, tuple(params))

    def is_prepared(self, shape: Hashable, kinds: Sequence[type]) -> bool:
        """Whether ``shape`` with values of ``kinds`` runs from compiled SQL (for tests)."""
        return bool(self._compiled.get((shape, tuple(kinds))))

    def _compile(
        self,
        key: tuple[Hashable, tuple[type, ...]],
        build: Callable[..., QuerySet[Any, Any]],
        kinds: tuple[type, ...],
    ) -> _Compiled | None:
        with self._lock:
            if key in self._compiled:
                return self._compiled[key]
            markers = [_marker(kind, index) for index, kind in enumerate(kinds)]
            template = build(*markers)
            compiled = None
            if (
                template._iterable_class in _ITERABLES
                and connections[template.db].vendor == "postgresql"
            ):
                compiler = template.query.get_compiler(using=template.db)
                sql, params = compiler.as_sql()
                slots = tuple(
                    tuple(i for i, p in enumerate(params) if type(p) is type(m) and p == m)
                    for m in markers
                )
                if all(slots):
                    columns = [column for column, *_ in compiler.select[: compiler.col_count]]
                    compiled = _Compiled(
                        template,
                        compiler,
                        sql,
                        tuple(params),
                        slots,
                        compiler.get_converters(columns),
                        compiler.has_composite_fields(columns),
                    )
                else:
                    log.warning("prepared_query_plain", shape=repr(key[0])[:80])
            self._compiled[key] = compiled
            return compiled

    @staticmethod
    def _execute(compiled: _Compiled, params: tuple[Any, ...]) -> list[Any]:
        compiler = copy.copy(compiled.compiler)
        connection = connections[compiled.template.db]  # this thread's
        prepare = getattr(settings, "PREPARED_STATEMENTS", True)
        compiler.connection = _Preparing(connection) if prepare else connection
        compiler.as_sql = lambda *_args, **_kwargs: (compiled.sql, params)
        compiler.get_converters = lambda _columns: compiled.converters
        compiler.has_composite_fields = lambda _columns: compiled.composite
        iterable: Any = compiled.template._iterable_class
        rows: list[Any] = list(iterable(_Run(compiled, compiler)))
        lookups = compiled.template._prefetch_related_lookups  # type: ignore[attr-defined]
        if lookups and rows:
            prefetch_related_objects(rows, *lookups)
        return rows
