"""The canonical form of an audit record, the hash over a batch, and the seal.

Records: form 4 (sealed by seal version 5) is PostgreSQL's binary record
(``record_send``) of a row of the ``COLUMNS`` in order: a 32-bit field count,
then per field the 32-bit type OID, a 32-bit byte length (-1 for NULL) and the
value in PostgreSQL's binary send format, all big-endian. Per field it is form
3's field with the type OID in front (``_OIDS``). The records hash of a batch is
SHA-256 over its records in id order, and PostgreSQL computes it itself
(``ROWS_SQL``: ``sha256(string_agg(record_send(ROW(...))))`` per seal), so
nothing travels to Python and ``--workers`` connections hash on every core with
no Python in between; ``encode_record_row`` writes the same bytes in Python
(SQLite, tests). It replaced form 3 because building it in the database costs
less than sending form 3's COPY rows and hashing them in Python, and scales
with connections (the records of a seal are one ``bytea``: seals of up to about
a million records, ``AUDIT_SEAL_BATCH`` is 10,000).

Form 3 (sealed by seal version 4, still verified) is PostgreSQL's binary COPY
row of the ``COLUMNS`` in order: a 16-bit field count, then per field a 32-bit
byte length (-1 for NULL) and the value in PostgreSQL's binary send format, all
big-endian:

=========  ===============================================================
int        ``int8``: 8 bytes, two's complement
timestamp  ``timestamptz``: 8 bytes, microseconds since 2000-01-01T00:00:00Z
uuid       16 bytes
json       ``jsonb``: the byte 1, then the ``jsonb`` text form (``["a", "b"]``);
           the recording API stores only lists of strings
bool       1 byte, 1 or 0
inet       the bare address (``host()``) as text
text       the UTF-8 bytes as stored
=========  ===============================================================

The records hash of a batch is SHA-256 over its records in id order (without
COPY's file header and trailer). Every field is length-prefixed, so the
concatenation is unambiguous. PostgreSQL produces it with ``COPY ... TO STDOUT
(FORMAT binary)``, one row per message (the protocol promises that), so the
database only sends values it already has, and Python hashes the bytes as they
arrive (``copy_hashes_pg``); ``encode_record`` writes the same bytes in Python
(SQLite, tests). It replaced form 2 because building form 2's text cost the
database about three times as much per record as sending the row.

Form 2 (sealed by seal versions 2 and 3, still verified): the concatenation of
the fields in ``FIELDS`` order, each written as a netstring of its UTF-8 text,
``<byte length>:<bytes>``, or ``~`` for NULL, then, only when one of the
``EXTENSION`` fields (the user who triggered a system action, the households a
list showed) differs from its empty value, a ``+`` followed by those fields framed
the same way. A record whose extension is empty has exactly its form 1, so
records sealed before form 2 still verify, while a value put into the extension
of such a record changes its hash. Texts per type: decimal integers,
microseconds since 1970-01-01T00:00:00Z, UUIDs lowercase with hyphens, the
``jsonb`` text form, ``1``/``0``, the bare address, text as stored. PostgreSQL
builds the text of each batch in SQL (``BATCHES_SQL``), Python hashes it.

Seals: version 5 is an HMAC-SHA256 under an audit key of the key ring, whose
version and the record form (``r4``) are part of the sealed text
(``seal_hash``), so the database alone cannot make a valid seal. Version 4 is
the same naming record form 3, version 3 naming record form 2, version 2 the
same without a record form (sealed before form 2 existed). Version 1 was an
unkeyed SHA-256; ``audit_verify`` accepts such seals only when asked to and only
before the first keyed seal.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

#: Record forms: 2 (with 1, its subset) netstrings of text, 3 binary COPY rows,
#: 4 binary records (``record_send``).
FORM_TEXT = 2
FORM_BINARY = 3
FORM_ROW = 4
#: The record form new seals use.
VERSION = FORM_ROW
#: Seal versions: 1 unkeyed (legacy), 2 keyed with an audit key, 3 keyed and naming
#: record form 2 (the extension fields), 4 naming record form 3, 5 naming form 4.
SEAL_UNKEYED = 1
SEAL_KEYED_V2 = 2
SEAL_KEYED_V3 = 3
SEAL_KEYED_V4 = 4
SEAL_KEYED = 5
KEYED_SEALS = frozenset({SEAL_KEYED_V2, SEAL_KEYED_V3, SEAL_KEYED_V4, SEAL_KEYED})
#: The record form of each seal version (versions 1 to 3: form 2, with form 1 its subset).
_SEAL_FORMS = {SEAL_KEYED_V4: FORM_BINARY, SEAL_KEYED: FORM_ROW}
#: The record form as named in the sealed text of each seal version.
_SEAL_FORM_NAMES = {SEAL_KEYED_V3: ["r2"], SEAL_KEYED_V4: ["r3"], SEAL_KEYED: ["r4"]}


def record_form(seal_version: int) -> int:
    """The record form the records of a seal of ``seal_version`` are hashed in."""
    return _SEAL_FORMS.get(seal_version, FORM_TEXT)


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


def encode_record(row: Iterable[Any], form: int = FORM_TEXT) -> bytes:
    """The canonical bytes of one record given as values in ``COLUMNS`` order."""
    if form == FORM_BINARY:
        return encode_record_binary(row)
    if form == FORM_ROW:
        return encode_record_row(row)
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


def records_hash(rows: Iterable[Iterable[Any]], form: int = VERSION) -> tuple[int, str]:
    """(count, hex SHA-256) over rows in id order in record ``form``, computed in Python."""
    encode = {FORM_BINARY: encode_record_binary, FORM_ROW: encode_record_row}.get(
        form, encode_record
    )
    hasher = hashlib.sha256()
    count = 0
    for row in rows:
        hasher.update(encode(row))
        count += 1
    return count, hasher.hexdigest()


# --- record form 3: PostgreSQL's binary COPY row ------------------------------

_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_NULL = b"\xff\xff\xff\xff"
_INT8 = struct.Struct(">iq")  # length 8, then the value


def _bin_text(value: Any) -> bytes:
    data = str(value).encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def _bin_int(value: Any) -> bytes:
    return _INT8.pack(8, int(value))


def _bin_timestamp(value: datetime) -> bytes:
    return _INT8.pack(8, (value - _PG_EPOCH) // _MICROSECOND)


def _bin_uuid(value: Any) -> bytes:
    value = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    return b"\x00\x00\x00\x10" + value.bytes


def _bin_json(value: Any) -> bytes:
    data = b"\x01" + _jsonb_text(value).encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def _bin_bool(value: Any) -> bytes:
    return b"\x00\x00\x00\x01\x01" if value else b"\x00\x00\x00\x01\x00"


_BIN: dict[str, Callable[[Any], bytes]] = {
    "int": _bin_int,
    "timestamp": _bin_timestamp,
    "uuid": _bin_uuid,
    "json": _bin_json,
    "bool": _bin_bool,
    "inet": _bin_text,
    "text": _bin_text,
}
_BIN_ENCODERS = tuple(_BIN[kind] for _, kind in FIELDS + EXTENSION)
_ROW_HEADER = len(_BIN_ENCODERS).to_bytes(2, "big")


def _encode_fields(row: Iterable[Any], header: bytes, prefixes: tuple[bytes, ...]) -> bytes:
    """``header``, then per field its prefix, and its length and value in binary."""
    values = tuple(row)
    if len(values) != len(_BIN_ENCODERS):
        raise ValueError("a record needs every column of COLUMNS")
    parts = [header]
    for prefix, encode, value in zip(prefixes, _BIN_ENCODERS, values, strict=True):
        parts.append(prefix)
        parts.append(_NULL if value is None else encode(value))
    return b"".join(parts)


_NO_PREFIXES = (b"",) * len(_BIN_ENCODERS)


def encode_record_binary(row: Iterable[Any]) -> bytes:
    """Record form 3 of one record given as values in ``COLUMNS`` order."""
    return _encode_fields(row, _ROW_HEADER, _NO_PREFIXES)


# --- record form 4: PostgreSQL's binary record (record_send) -----------------

#: The type OID of each kind, as ``record_send`` writes it before every field.
_OIDS: dict[str, int] = {
    "int": 20,  # int8
    "timestamp": 1184,  # timestamptz
    "uuid": 2950,
    "json": 3802,  # jsonb
    "bool": 16,
    "inet": 25,  # host(): text
    "text": 25,
}
_OID_PREFIXES = tuple(_OIDS[kind].to_bytes(4, "big") for _, kind in FIELDS + EXTENSION)
_RECORD_HEADER = len(_OID_PREFIXES).to_bytes(4, "big")


def encode_record_row(row: Iterable[Any]) -> bytes:
    """Record form 4 of one record given as values in ``COLUMNS`` order: form 3's
    fields, each after its type OID, under a 4-byte field count."""
    return _encode_fields(row, _RECORD_HEADER, _OID_PREFIXES)


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


# --- record form 3 in PostgreSQL -----------------------------------------------

_PG_BINARY: dict[str, str] = {
    "int": "{c}::bigint",
    "timestamp": "{c}::timestamptz",
    "uuid": "{c}::uuid",
    "json": "{c}::jsonb",
    "bool": "{c}::boolean",
    "inet": "host({c})",
    "text": "{c}::text",
}
_COPY_SQL = (  # nosec B608  # built from the constants above only
    "COPY (SELECT "  # noqa: S608  # nosec B608
    + ", ".join(_PG_BINARY[kind].format(c=f"r.{column}") for column, kind in FIELDS + EXTENSION)
    + " FROM audit_auditrecord r WHERE r.id > {lo:d} AND r.id <= {hi:d} ORDER BY r.id)"
    " TO STDOUT (FORMAT binary)"
)
_RECORD = (
    "ROW("
    + ", ".join(_PG_BINARY[kind].format(c=f"r.{column}") for column, kind in FIELDS + EXTENSION)
    + ")"
)
#: For arrays of (after_id, last_id]: per range, in order, (index, count, records
#: hash in form 4). As ``BATCHES_SQL``: rows reach the aggregate in primary-key order
#: from the ordered subquery (an ORDER BY inside ``string_agg`` sorts again, about a
#: third more work), parallel plans switched off by the callers.
ROWS_SQL = f"""
SELECT s.idx, x.n, x.h
FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS s(lo, hi, idx)
CROSS JOIN LATERAL (
    SELECT count(*) AS n,
        encode(sha256(coalesce(string_agg(v.b, ''::bytea), ''::bytea)), 'hex') AS h
    FROM (
        SELECT record_send({_RECORD}) AS b FROM audit_auditrecord r
        WHERE r.id > s.lo AND r.id <= s.hi
        ORDER BY r.id OFFSET 0
    ) v
) x
ORDER BY s.idx
"""  # noqa: S608  # nosec B608  # built from the constants above only

#: COPY's binary file header: signature, flags 0, no header extension.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_HEADER_SIZE = len(_COPY_HEADER)
_COPY_TRAILER = b"\xff\xff"
#: How every row starts: the field count, then the length of the id (an int8).
_ROW_START = _ROW_HEADER + b"\x00\x00\x00\x08"


class CopyFormatError(RuntimeError):
    """PostgreSQL's COPY output is not laid out as record form 3 expects."""


def _copy_rows(copy: Any, pgconn: Any) -> Iterator[Any]:
    """The rows of a running binary COPY TO (the file header cut off the first).

    Takes every message libpq already holds straight from it (``Copy.read`` costs
    about a microsecond per row in generator plumbing, more than hashing the row);
    waiting for more, the end of the COPY and errors are left to ``Copy.read``.
    The trailer (the last message) ends the rows.
    """
    head = copy.read()
    if head[:_HEADER_SIZE] != _COPY_HEADER:
        raise CopyFormatError("onverwachte kop van de binaire COPY")
    data = head[_HEADER_SIZE:]
    get = pgconn.get_copy_data
    while True:
        if len(data) == 2 and data == _COPY_TRAILER:
            while copy.read():  # the end of the COPY and its result
                pass
            return
        yield data
        nbytes, data = get(1)
        if nbytes <= 0:
            data = copy.read()
            if not data:
                return


def copy_hashes_pg(cursor: Any, ranges: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """(count, records hash) in record form 3 for each of the consecutive
    (after_id, last_id] ``ranges``, in one COPY over all of them (PostgreSQL)."""
    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    sql = _COPY_SQL.format(lo=ranges[0][0], hi=ranges[-1][1])
    results: list[tuple[int, str]] = []
    ends = [hi for _, hi in ranges]
    end = ends[0]
    hasher = hashlib.sha256()
    update = hasher.update
    count = 0
    from_bytes = int.from_bytes
    with cursor.cursor.copy(sql) as copy:
        for data in _copy_rows(copy, cursor.cursor.connection.pgconn):
            if data[:6] != _ROW_START:
                raise CopyFormatError("onverwachte regel in de binaire COPY")
            if from_bytes(data[6:14], "big") > end:
                row_id = from_bytes(data[6:14], "big")
                while row_id > end:
                    results.append((count, hasher.hexdigest()))
                    hasher, count = hashlib.sha256(), 0
                    end = ends[len(results)]
                update = hasher.update
            update(data)
            count += 1
    results.append((count, hasher.hexdigest()))
    empty = hashlib.sha256().hexdigest()
    results.extend((0, empty) for _ in ranges[len(results) :])
    return results


def row_hashes_pg(cursor: Any, ranges: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """(count, records hash) in record form 4 for each (after_id, last_id] range,
    computed by PostgreSQL."""
    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    cursor.execute(ROWS_SQL, [[lo for lo, _ in ranges], [hi for _, hi in ranges]])
    return [(int(n), str(digest)) for _, n, digest in cursor.fetchall()]


def hashes_pg(form: int) -> Callable[[Any, list[tuple[int, int]]], list[tuple[int, str]]]:
    """The function that computes (count, records hash) per range in ``form`` on PostgreSQL."""
    return {FORM_ROW: row_hashes_pg, FORM_BINARY: copy_hashes_pg}.get(form, batch_hashes_pg)


def batch_hashes_pg(cursor: Any, ranges: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """(count, records hash) in record form 2 for each (after_id, last_id] range
    (PostgreSQL)."""
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

    Versions 2 to 5 need ``key`` and ``key_version`` (HMAC-SHA256); version 1 is
    the legacy unkeyed SHA-256.
    """
    fields = [str(first_id), str(last_id), str(count), records_hash, previous_hash]
    fields.append(_timestamp(sealed_at))
    if versie == SEAL_UNKEYED:
        text = "|".join([f"audit-seal-v{versie}", *fields])
        return hashlib.sha256(text.encode("ascii")).hexdigest()
    if versie not in KEYED_SEALS or key is None or key_version is None:
        raise ValueError(f"seal version {versie} needs an audit key")
    form = _SEAL_FORM_NAMES.get(versie, [])
    text = "|".join([f"audit-seal-v{versie}", f"k{key_version}", *form, *fields])
    return hmac.new(key, text.encode("ascii"), hashlib.sha256).hexdigest()
