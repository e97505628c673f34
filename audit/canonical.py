"""The canonical form of an audit record, the hash over a batch, and the seal.

Records: version 2. A record is the concatenation of its fields in ``FIELDS``
order, each written as a netstring of its UTF-8 text, ``<byte length>:<bytes>``,
or ``~`` for NULL, then, only when one of the ``EXTENSION`` fields (added in
version 2: the user who triggered a system action, the households a list
showed) differs from its empty value, a ``+`` followed by those fields framed
the same way. A record whose extension is empty has exactly its version 1 form,
so records written before version 2 still verify under their seals, while a
value put into the extension of such a record changes its hash. ``+`` cannot
start a netstring, so the records of a batch stay unambiguous. The text of each
type is fixed:

=========  ===============================================================
int        decimal (``42``)
timestamp  microseconds since 1970-01-01T00:00:00Z, decimal
uuid       lowercase with hyphens
json       the PostgreSQL ``jsonb`` text form (``["a", "b"]``); the recording
           API stores only lists of strings
bool       ``1`` or ``0``
inet       the bare address (``host()``), as stored
text       as stored
=========  ===============================================================

The records hash of a batch is SHA-256 over the canonical records in id order.
Every field is self-delimiting, so the concatenation is unambiguous. The same
form is produced in Python (``encode_record``: SQLite, tests) and in SQL
(``BATCHES_SQL``: PostgreSQL builds the text of each batch in one pass over the
primary key and Python hashes it, which is where SHA-256 is fastest).

Seals: version 3 is an HMAC-SHA256 under an audit key of the key ring, whose
version and the record form (``r2``) are part of the sealed text
(``seal_hash``), so the database alone cannot make a valid seal. Version 2 is
the same without the record form (sealed before version 2 records existed).
Version 1 was an unkeyed SHA-256; ``audit_verify`` accepts such seals only when
asked to and only before the first keyed seal.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

#: The version of the canonical record form.
VERSION = 2
#: Seal versions: 1 unkeyed (legacy), 2 keyed with an audit key, 3 keyed and naming
#: record form 2 (the extension fields).
SEAL_UNKEYED = 1
SEAL_KEYED_V2 = 2
SEAL_KEYED = 3
KEYED_SEALS = frozenset({SEAL_KEYED_V2, SEAL_KEYED})

#: (column, type) in canonical order. Every concrete field of AuditRecord must be here.
FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "int"),
    ("occurred_at", "timestamp"),
    ("user_id", "int"),
    ("username", "text"),
    ("rol", "text"),
    ("organisatie_id", "uuid"),
    ("organisatie_naam", "text"),
    ("api_token_id", "uuid"),
    ("huishouden_id", "uuid"),
    ("persoon_ids", "json"),
    ("actie", "text"),
    ("object_type", "text"),
    ("object_id", "text"),
    ("object_ids", "json"),
    ("velden", "json"),
    ("doel", "text"),
    ("reden", "text"),
    ("noodtoegang", "bool"),
    ("request_id", "text"),
    ("ip_adres", "inet"),
    ("user_agent", "text"),
    ("uitkomst", "text"),
)
#: Added in record form 2; framed after a ``+`` only when not all empty.
EXTENSION: tuple[tuple[str, str], ...] = (
    ("trigger_user_id", "int"),
    ("trigger_username", "text"),
    ("huishouden_ids", "json"),
)
#: The empty value of each extension field (a record without extension).
EXTENSION_EMPTY: tuple[Any, ...] = (None, "", [])
COLUMNS: tuple[str, ...] = tuple(name for name, _ in FIELDS + EXTENSION)
_BASE = len(FIELDS)

GENESIS = "0" * 64


def _int(value: Any) -> str:
    return str(int(value))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _timestamp(value: datetime) -> str:
    return str((value - _EPOCH) // _MICROSECOND)


def _uuid(value: Any) -> str:
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _jsonb_text(value: Any) -> str:
    # jsonb orders object keys by length, then bytes; lists keep their order.
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        inner = ", ".join(
            f"{json.dumps(k, ensure_ascii=False)}: {_jsonb_text(value[k])}" for k in keys
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_jsonb_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _bool(value: Any) -> str:
    return "1" if value else "0"


_PY: dict[str, Callable[[Any], str]] = {
    "int": _int,
    "timestamp": _timestamp,
    "uuid": _uuid,
    "json": _jsonb_text,
    "bool": _bool,
    "inet": str,
    "text": str,
}
_CONVERTERS = tuple(_PY[kind] for _, kind in FIELDS + EXTENSION)


def encode_record(row: Iterable[Any]) -> bytes:
    """The canonical bytes of one record given as values in ``COLUMNS`` order."""
    values = tuple(row)
    if len(values) != len(_CONVERTERS):
        raise ValueError("a record needs every column of COLUMNS")
    extended = values[_BASE:] != EXTENSION_EMPTY
    parts = []
    for i, (convert, value) in enumerate(zip(_CONVERTERS, values, strict=True)):
        if i == _BASE:
            if not extended:
                break
            parts.append(b"+")
        if value is None:
            parts.append(b"~")
            continue
        data = convert(value).encode("utf-8")
        parts.append(b"%d:%s" % (len(data), data))
    return b"".join(parts)


def records_hash(rows: Iterable[Iterable[Any]]) -> tuple[int, str]:
    """(count, hex SHA-256) over rows in id order, computed in Python."""
    hasher = hashlib.sha256()
    count = 0
    for row in rows:
        hasher.update(encode_record(row))
        count += 1
    return count, hasher.hexdigest()


# --- the same in PostgreSQL ---------------------------------------------------

_SQL: dict[str, str] = {
    "int": "{c}::text",
    "timestamp": "(extract(epoch FROM {c}) * 1000000)::bigint::text",
    "uuid": "{c}::text",
    "json": "{c}::text",
    "bool": "CASE WHEN {c} THEN '1' WHEN NOT {c} THEN '0' END",
    "inet": "host({c})",
    "text": "{c}",
}

# Each value is computed once (the OFFSET 0 subquery is not flattened), then framed.
_VALUES = ", ".join(
    f"{_SQL[kind].format(c=f'r.{column}')} AS v{i}"
    for i, (column, kind) in enumerate(FIELDS + EXTENSION)
)
_PLAIN = (
    "(r.trigger_user_id IS NULL AND r.trigger_username = '' "
    "AND r.huishouden_ids = '[]'::jsonb) AS plain"
)


def _framed(indexes: range) -> str:
    return " || ".join(f"coalesce(octet_length(v{i})::text || ':' || v{i}, '~')" for i in indexes)


_FRAME = (
    f"{_framed(range(_BASE))} || CASE WHEN plain THEN '' "
    f"ELSE '+' || {_framed(range(_BASE, _BASE + len(EXTENSION)))} END"
)

#: For arrays of (after_id, last_id]: per range, in order, (index, count, canonical text).
#: Rows reach the aggregate in primary-key order from the ordered subquery; parallel
#: plans are switched off (``SET LOCAL``) by the callers so nothing reorders them.
BATCHES_SQL = f"""
SELECT s.idx, x.n, x.t
FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS s(lo, hi, idx)
CROSS JOIN LATERAL (
    SELECT count(*) AS n, coalesce(string_agg({_FRAME}, ''), '') AS t
    FROM (
        SELECT {_VALUES}, {_PLAIN} FROM audit_auditrecord r
        WHERE r.id > s.lo AND r.id <= s.hi
        ORDER BY r.id OFFSET 0
    ) v
) x
ORDER BY s.idx
"""  # noqa: S608  # nosec B608  # built from the constants above only


def batch_hashes_pg(cursor: Any, ranges: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """(count, records hash) for each (after_id, last_id] range, on PostgreSQL."""
    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    cursor.execute(BATCHES_SQL, [[lo for lo, _ in ranges], [hi for _, hi in ranges]])
    return [
        (int(n), hashlib.sha256(text.encode("utf-8")).hexdigest())
        for _, n, text in cursor.fetchall()
    ]


def seal_hash(
    *,
    versie: int,
    first_id: int,
    last_id: int,
    count: int,
    records_hash: str,
    previous_hash: str,
    sealed_at: datetime,
    key: bytes | None = None,
    key_version: int | None = None,
) -> str:
    """The hash of a seal, over all of its fields and the previous seal's hash.

    Versions 2 and 3 need ``key`` and ``key_version`` (HMAC-SHA256); version 1 is
    the legacy unkeyed SHA-256.
    """
    fields = [str(first_id), str(last_id), str(count), records_hash, previous_hash]
    fields.append(_timestamp(sealed_at))
    if versie == SEAL_UNKEYED:
        text = "|".join([f"audit-seal-v{versie}", *fields])
        return hashlib.sha256(text.encode("ascii")).hexdigest()
    if versie not in KEYED_SEALS or key is None or key_version is None:
        raise ValueError(f"seal version {versie} needs an audit key")
    form = [f"r{VERSION}"] if versie == SEAL_KEYED else []
    text = "|".join([f"audit-seal-v{versie}", f"k{key_version}", *form, *fields])
    return hmac.new(key, text.encode("ascii"), hashlib.sha256).hexdigest()
