"""The sealer: hash-chains committed audit records in batches, in id order.

Appending a record takes no lock beyond its own row: ids come from the table's
sequence, and sealing happens afterwards in the worker (``seal_pending``, job
``audit_sealer``). The hard part is knowing which ids are *final*.

On PostgreSQL a transaction draws its id from the sequence when it inserts and
becomes visible when it commits, so a committed id 101 may be seen while id 100
is still in flight. A seal over ``(previous.last_id, last_id]`` must never be
passed by a record committing later, so the sealer:

* seals the contiguous run of visible ids after the last seal (every id in it is
  committed; nothing can join it);
* stops at the first missing id (a gap) until it knows the gap is permanent
  (its transaction rolled back): it notes when it first saw the gap and, at
  least ``AUDIT_SEAL_GAP_SETTLE`` seconds later (by then the transaction holding
  the id has a transaction id, assigned in the same INSERT statement that drew
  the id), takes a *barrier*: the other transactions of this database that hold
  a transaction id (``pg_stat_activity``). Once none of them is running, every
  transaction that could hold the id has ended; a gap still missing then stays
  missing. Only this database counts: a long transaction elsewhere on the
  server (another application, a backup) does not hold the sealer back.

Each seal is an HMAC under the key ring's current audit key (``audit.keys``);
without the key ring nothing is sealed and the worker logs why.

Only one sealer runs at a time (``pg_try_advisory_xact_lock``, taken by the
sealer only). On SQLite writers are serialised and the sealer holds the write
lock (BEGIN IMMEDIATE), so every visible id is final.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit import canonical
from audit.keys import sealing_key
from audit.models import AuditRecord, AuditSeal
from toegang.logging import get_logger

log = get_logger(__name__)

_LOCK_KEY = 0x61756469  # "audi": the sealer's advisory lock
DEFAULT_BATCH = 10_000


def _batch_size() -> int:
    return int(getattr(settings, "AUDIT_SEAL_BATCH", DEFAULT_BATCH))


def _settle() -> float:
    return float(getattr(settings, "AUDIT_SEAL_GAP_SETTLE", 1.0))


Running = frozenset[tuple[int, str]]  # (backend pid, transaction id) in this database


@dataclass
class GapTracker:
    """What one sealer process knows about gaps (PostgreSQL).

    Per gap: when it was first seen, and its barrier, the transactions running
    at the first run at least ``settle`` seconds later.
    """

    first_seen: dict[int, float] = field(default_factory=dict)
    barrier: dict[int, Running] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def passable(self, gap: int, now: float, running: Running, settle: float) -> bool:
        seen = self.first_seen.setdefault(gap, now)
        if gap not in self.barrier and now >= seen + settle:
            self.barrier[gap] = running
        return gap in self.barrier and not (self.barrier[gap] & running)

    def forget_upto(self, last_id: int) -> None:
        for gap in [g for g in self.first_seen if g <= last_id]:
            del self.first_seen[gap]
            self.barrier.pop(gap, None)


_tracker = GapTracker()


def records_hash_between(
    after_id: int, upto_id: int, *, versie: int = canonical.SEAL_KEYED
) -> tuple[int, str]:
    """(count, records hash) of the records with ``after_id < id <= upto_id``, in the
    record form of seal version ``versie``."""
    form = canonical.record_form(versie)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            return canonical.hashes_pg(form)(cursor, [(after_id, upto_id)])[0]
    rows = (
        AuditRecord.objects.filter(id__gt=after_id, id__lte=upto_id)
        .order_by("id")
        .values_list(*canonical.COLUMNS)
        .iterator(chunk_size=5000)
    )
    return canonical.records_hash(rows, form)


def _running_pg() -> Running:
    """The other transactions of this database that hold a transaction id.

    Our own transaction cannot hold a missing id (its rows are visible to it).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_xid::text FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_xid IS NOT NULL "
            "AND pid <> pg_backend_pid()"
        )
        return frozenset((int(pid), str(xid)) for pid, xid in cursor.fetchall())


def _final_end_pg(
    after_id: int, ids: list[int], running: Running, now: float, tracker: GapTracker
) -> int:
    """The highest id in ``ids`` up to which every id is final (PostgreSQL).

    A run of missing ids is keyed by its first id: all of it was seen missing
    at that moment. A run that later splits gets a new, later key (safe side).
    """
    end = after_id
    for current in ids:
        if current > end + 1 and not tracker.passable(end + 1, now, running, _settle()):
            return end
        end = current
    return end


def _visible_ids_after(after_id: int) -> list[int]:
    return list(
        AuditRecord.objects.filter(id__gt=after_id)
        .order_by("id")
        .values_list("id", flat=True)[: _batch_size()]
    )


def _last_seal() -> tuple[int, str]:
    last = AuditSeal.objects.order_by("-last_id").values_list("last_id", "seal_hash").first()
    return last if last else (0, canonical.GENESIS)


def _take_sealer_lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def seal_once(tracker: GapTracker | None = None) -> int:
    """Seal one batch of final records; return how many records it sealed."""
    tracker = tracker or _tracker
    with tracker.lock, transaction.atomic():
        if not _take_sealer_lock():
            return 0
        after_id, previous_hash = _last_seal()
        if connection.vendor == "postgresql":
            # Running transactions first, ids second: a gap whose transaction ended
            # before the first query shows up in the id list if it committed.
            now = time.monotonic()
            running = _running_pg()
            ids = _visible_ids_after(after_id)
            end = _final_end_pg(after_id, ids, running, now, tracker)
        else:
            ids = _visible_ids_after(after_id)
            end = ids[-1] if ids else after_id
        if end <= after_id:
            return 0
        expected = sum(1 for i in ids if i <= end)
        count, records_hash = records_hash_between(after_id, end)
        if count != expected:
            log.warning("audit_seal_retry", after_id=after_id, end=end)
            return 0
        key_version, key = sealing_key()
        sealed_at = timezone.now()
        first_id = ids[0]
        seal = AuditSeal.objects.create(
            versie=canonical.SEAL_KEYED,
            sleutelversie=key_version,
            first_id=first_id,
            last_id=end,
            count=count,
            records_hash=records_hash,
            previous_hash=previous_hash,
            sealed_at=sealed_at,
            seal_hash=canonical.seal_hash(
                versie=canonical.SEAL_KEYED,
                key=key.material,
                key_version=key_version,
                first_id=first_id,
                last_id=end,
                count=count,
                records_hash=records_hash,
                previous_hash=previous_hash,
                sealed_at=sealed_at,
            ),
        )
        tracker.forget_upto(end)
    log.debug("audit_sealed", seal_id=seal.pk, first_id=first_id, last_id=end, count=count)
    return count


def seal_pending() -> int:
    """The worker job: seal one batch of what has accumulated.

    Busy (the worker calls again at once) only after a full batch, when more is
    surely waiting; after a partial one it waits its interval, so a steady stream
    of reads is sealed in one batch per interval instead of a handful of records
    per worker tick (each seal costs a few queries however small it is).
    """
    sealed = seal_once()
    return sealed if sealed >= _batch_size() else 0


def seal_all(*, timeout: float = 30.0, tracker: GapTracker | None = None) -> int:
    """Seal until nothing final is left (tests, bench, demo). Returns records sealed."""
    total = 0
    deadline = time.monotonic() + timeout
    while True:
        done = seal_once(tracker)
        total += done
        if done:
            continue
        pending = AuditRecord.objects.filter(id__gt=_last_seal()[0]).exists()
        if not pending:
            return total
        if time.monotonic() > deadline:
            log.warning("audit_seal_all_timeout", sealed=total)
            return total
        time.sleep(min(0.2, _settle() / 2 or 0.05))
