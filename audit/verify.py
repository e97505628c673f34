"""Verification of the sealed chain: ``audit_verify`` and the console use it.

Walks the seals in order and checks, for each: the link to the previous seal,
the seal's own hash, and the count and records hash of the records in its id
range. The first seal that fails is the first broken position. On PostgreSQL
the records hashes are computed in the database, many seals per query, so no
record travels to Python; elsewhere records stream once through ``hashlib``.

A seal's own hash is an HMAC under the audit key version it names (checked with
the key ring). Unkeyed seals (version 1, from before the audit key) count only
with ``accept_unkeyed`` and only before the first keyed seal: otherwise anyone
who can write the database could rewrite a row and reseal from there unkeyed.
"""

from __future__ import annotations

import hmac
import queue
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, connections, transaction
from django.utils.translation import gettext as _

from audit import canonical
from audit.keys import checking_key
from audit.models import AuditRecord, AuditSeal
from toegang.crypto.errors import KeyRingError

#: Seals per PostgreSQL query and records per group (whichever comes first). Groups
#: are what ``--workers`` connections hash in parallel, so a few per worker at least.
GROUP_SEALS = 500
GROUP_RECORDS = 20_000

_SEAL_COLUMNS = (
    "id",
    "versie",
    "sleutelversie",
    "first_id",
    "last_id",
    "count",
    "records_hash",
    "previous_hash",
    "seal_hash",
    "sealed_at",
)


@dataclass(frozen=True)
class Seal:
    id: int
    versie: int
    sleutelversie: int | None
    first_id: int
    last_id: int
    count: int
    records_hash: str
    previous_hash: str
    seal_hash: str
    sealed_at: datetime
    after_id: int  # the previous seal's last_id: this seal covers (after_id, last_id]


@dataclass
class VerifyResult:
    seals: int = 0
    records: int = 0
    unsealed: int = 0
    seconds: float = 0.0
    problem: str | None = None
    seal_id: int | None = None
    unkeyed: int = 0  # legacy unkeyed seals accepted (only with accept_unkeyed)
    last_seal: Seal | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def _start(since: int | datetime | None) -> tuple[int, str, Any]:
    """(after_id, previous seal hash, queryset of seals to check) for ``since``."""
    seals = AuditSeal.objects.order_by("last_id")
    if since is None:
        return 0, canonical.GENESIS, seals
    if isinstance(since, datetime):
        first = seals.filter(sealed_at__gte=since).first()
    else:
        first = seals.filter(id__gte=since).first()
    if first is None:
        return 0, canonical.GENESIS, seals.none()
    before = (
        AuditSeal.objects.filter(last_id__lt=first.last_id)
        .order_by("-last_id")
        .values_list("last_id", "seal_hash")
        .first()
    )
    after_id, previous = before if before else (0, canonical.GENESIS)
    return after_id, previous, seals.filter(last_id__gte=first.last_id)


class _Chain:
    """The state carried from seal to seal: the previous hash, keyed yet or not."""

    def __init__(self, previous_hash: str, accept_unkeyed: bool) -> None:
        self.previous_hash = previous_hash
        self.accept_unkeyed = accept_unkeyed
        self.keyed_seen = False
        self.keys: dict[int, bytes] = {}

    def key(self, version: int) -> bytes | None:
        if version not in self.keys:
            try:
                self.keys[version] = checking_key(version).material
            except KeyRingError:
                return None
        return self.keys[version]

    def problem(self, seal: Seal) -> str | None:
        if seal.previous_hash != self.previous_hash:
            return _(
                "de verwijzing naar de vorige zegel klopt niet (zegel verwijderd of gewijzigd)"
            )
        if not seal.after_id < seal.first_id <= seal.last_id:
            return _("het bereik van de zegel klopt niet")
        key: bytes | None = None
        if seal.versie == canonical.SEAL_UNKEYED:
            if not self.accept_unkeyed or self.keyed_seen:
                return _(
                    "zegel zonder auditsleutel (versie 1): niet bewijskrachtig, "
                    "iedereen met schrijfrechten op de database kan zo'n zegel maken"
                )
        elif seal.versie in canonical.KEYED_SEALS:
            key = self.key(seal.sleutelversie) if seal.sleutelversie is not None else None
            if key is None:
                return _("auditsleutel versie %(v)s ontbreekt in de sleutelbos") % {
                    "v": seal.sleutelversie
                }
        else:
            return _("onbekende zegelversie %(v)s") % {"v": seal.versie}
        expected = canonical.seal_hash(
            versie=seal.versie,
            key=key,
            key_version=seal.sleutelversie,
            first_id=seal.first_id,
            last_id=seal.last_id,
            count=seal.count,
            records_hash=seal.records_hash,
            previous_hash=seal.previous_hash,
            sealed_at=seal.sealed_at,
        )
        if not hmac.compare_digest(expected, seal.seal_hash):
            return _(
                "de zegel klopt niet met auditsleutel versie %(v)s (zegel gewijzigd of nagemaakt, "
                "of de sleutelbos heeft een andere sleutel met dit versienummer)"
            ) % {"v": seal.sleutelversie}
        self.keyed_seen = self.keyed_seen or key is not None
        return None


def _records_problem(seal: Seal, count: int, digest: str) -> str | None:
    if count < seal.count:
        return _("%(n)d auditregel(s) verwijderd") % {"n": seal.count - count}
    if count > seal.count:
        return _("%(n)d auditregel(s) achteraf ingevoegd") % {"n": count - seal.count}
    if digest != seal.records_hash:
        return _("een auditregel is gewijzigd of regels zijn van plaats verwisseld")
    return None


def _seals(queryset: Any, after_id: int) -> Iterator[Seal]:
    for row in queryset.values_list(*_SEAL_COLUMNS).iterator(chunk_size=2000):
        seal = Seal(**dict(zip(_SEAL_COLUMNS, row, strict=True)), after_id=after_id)
        yield seal
        after_id = seal.last_id


def _groups(seals: Iterator[Seal]) -> Iterator[list[Seal]]:
    """Runs of consecutive seals whose records are in the same record form."""
    group: list[Seal] = []
    records = 0
    for seal in seals:
        if group and canonical.record_form(seal.versie) != canonical.record_form(group[0].versie):
            yield group
            group, records = [], 0
        group.append(seal)
        records += seal.count
        if len(group) >= GROUP_SEALS or records >= GROUP_RECORDS:
            yield group
            group, records = [], 0
    if group:
        yield group


def _hash_group_pg(group: list[Seal]) -> list[tuple[int, str]]:
    hashes = canonical.hashes_pg(canonical.record_form(group[0].versie))
    with transaction.atomic(), connection.cursor() as cursor:
        return hashes(cursor, [(s.after_id, s.last_id) for s in group])


def _hash_group_python(group: list[Seal]) -> list[tuple[int, str]]:
    rows = (
        AuditRecord.objects.filter(id__gt=group[0].after_id, id__lte=group[-1].last_id)
        .order_by("id")
        .values_list(*canonical.COLUMNS)
        .iterator(chunk_size=5000)
    )
    results = []
    pending = next(rows, None)
    for seal in group:
        batch = []
        while pending is not None and pending[0] <= seal.last_id:
            batch.append(pending)
            pending = next(rows, None)
        results.append(canonical.records_hash(batch, canonical.record_form(seal.versie)))
    return results


def _hash_groups(
    groups: Iterator[list[Seal]], workers: int, use_sql: bool
) -> Iterator[tuple[list[Seal], list[tuple[int, str]]]]:
    """Each group with its hashes, in order; with ``workers`` > 1 that many threads
    hash groups ahead, each on a connection of its own kept for all its groups."""
    hash_group = _hash_group_pg if use_sql else _hash_group_python
    if workers <= 1 or not use_sql:
        for group in groups:
            yield group, hash_group(group)
        return

    tasks: queue.SimpleQueue[tuple[list[Seal], Future[list[tuple[int, str]]]] | None]
    tasks = queue.SimpleQueue()

    def work() -> None:
        try:
            while (task := tasks.get()) is not None:
                group, future = task
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(hash_group(group))
                    except BaseException as exc:  # handed to the caller
                        future.set_exception(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    window: deque[tuple[list[Seal], Future[list[tuple[int, str]]]]] = deque()
    try:
        for group in groups:
            future: Future[list[tuple[int, str]]] = Future()
            tasks.put((group, future))
            window.append((group, future))
            if len(window) >= workers * 2:
                head, done = window.popleft()
                yield head, done.result()
        while window:
            head, done = window.popleft()
            yield head, done.result()
    finally:
        for _, pending in window:  # stopped early (a broken seal): skip the rest
            pending.cancel()
        for _ in threads:
            tasks.put(None)
        for thread in threads:
            thread.join()


def verify_chain(
    *,
    since: int | datetime | None = None,
    workers: int = 1,
    use_sql: bool | None = None,
    accept_unkeyed: bool = False,
) -> VerifyResult:
    """Check the chain from the start (or from seal id / date ``since``)."""
    started = time.perf_counter()
    result = VerifyResult()
    after_id, previous_hash, queryset = _start(since)
    chain = _Chain(previous_hash, accept_unkeyed)
    chain.keyed_seen = AuditSeal.objects.filter(
        last_id__lte=after_id, versie__in=canonical.KEYED_SEALS
    ).exists()
    use_sql = connection.vendor == "postgresql" if use_sql is None else use_sql
    if connection.in_atomic_block:
        workers = 1  # other connections would not see this transaction's rows
    last_id = after_id
    groups = _groups(_seals(queryset, after_id))
    for group, hashes in _hash_groups(groups, workers, use_sql):
        for seal, (count, digest) in zip(group, hashes, strict=True):
            problem = chain.problem(seal) or _records_problem(seal, count, digest)
            if problem:
                return _fail(result, seal, problem, started)
            chain.previous_hash, last_id = seal.seal_hash, seal.last_id
            result.unkeyed += seal.versie == canonical.SEAL_UNKEYED
            result.last_seal = seal
            result.seals += 1
            result.records += count
    result.unsealed = AuditRecord.objects.filter(id__gt=last_id).count()
    result.seconds = time.perf_counter() - started
    return result


def _fail(result: VerifyResult, seal: Seal, problem: str, started: float) -> VerifyResult:
    result.seal_id = seal.id
    result.problem = _("zegel %(id)d (auditregels %(lo)d t/m %(hi)d): %(p)s") % {
        "id": seal.id,
        "lo": seal.after_id + 1,
        "hi": seal.last_id,
        "p": problem,
    }
    result.seconds = time.perf_counter() - started
    return result
