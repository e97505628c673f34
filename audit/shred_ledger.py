"""The shred ledger: which households were crypto-shredded, kept where a restore cannot undo it.

Inside the database the ledger is the audit trail itself: every ``shred`` audit record
of a huishouden (append-only, sealed) names the household and, in ``object_ids``, its
data key. It is mirrored, one JSON line per entry, to a file outside the database:
``settings.SHRED_LEDGER_STORE`` (``file:<path>``; default: beside each ``file:`` store of
``AUDIT_ANCHOR_STORE``, ``<name>.vernietigingen.jsonl``). Make it append-only at the
filesystem level (``chattr +a``) and back it up apart from the database.

A database backup restored from before a shredding still holds that household's
wrapped data key. ``manage.py restore_check`` reads the mirrored ledger and shreds again
whatever the database has not (``behind``); the web process refuses to start while
anything is behind. An entry holds ids and a time: no personal data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Actie, AuditRecord
from toegang.logging import get_logger

log = get_logger(__name__)

FORMAT = 1
SUFFIX = ".vernietigingen.jsonl"


class LedgerError(Exception):
    """The mirrored ledger cannot be read or written; the message is Dutch, for the operator."""


@dataclass(frozen=True)
class Entry:
    huishouden_id: str
    data_key_id: str
    vernietigd_op: str
    record_id: int

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, separators=(",", ":"), sort_keys=True)


class LedgerFile:
    """JSON lines appended with ``O_APPEND`` and fsync; a missing file is an empty ledger."""

    def __init__(self, path: str) -> None:
        target = Path(path)
        self.path = target if target.is_absolute() else Path(settings.BASE_DIR) / target
        self.name = f"file:{path}"

    def append(self, entries: Iterable[Entry]) -> None:
        data = "".join(entry.to_json() + "\n" for entry in entries).encode("utf-8")
        if not data:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise LedgerError(
                _("vernietigingsgrootboek %(p)s niet schrijfbaar (%(e)s)")
                % {"p": self.path, "e": type(exc).__name__}
            ) from None

    def read(self) -> list[Entry]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise LedgerError(
                _("vernietigingsgrootboek %(p)s niet leesbaar (%(e)s)")
                % {"p": self.path, "e": type(exc).__name__}
            ) from None
        entries = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                entries.append(
                    Entry(
                        huishouden_id=str(data["huishouden_id"]),
                        data_key_id=str(data["data_key_id"]),
                        vernietigd_op=str(data.get("vernietigd_op", "")),
                        record_id=int(data.get("record_id", 0)),
                    )
                )
            except (ValueError, KeyError, TypeError):
                raise LedgerError(
                    _("vernietigingsgrootboek %(p)s regel %(n)d is ongeldig")
                    % {"p": self.path, "n": number}
                ) from None
        return entries


def configured() -> str:
    """The ledger's store spec: the setting, or derived from the anchor stores."""
    spec = str(getattr(settings, "SHRED_LEDGER_STORE", "") or "").strip()
    if spec:
        return spec
    anchors = str(getattr(settings, "AUDIT_ANCHOR_STORE", "") or "")
    derived = []
    for item in (part.strip() for part in anchors.split(",")):
        if item.startswith("file:"):
            derived.append("file:" + str(Path(item.removeprefix("file:")).with_suffix(SUFFIX)))
    return ",".join(derived)


def stores(spec: str | None = None) -> list[LedgerFile]:
    spec = configured() if spec is None else spec
    found = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        if not item.startswith("file:"):
            raise LedgerError(
                _("onbekend vernietigingsgrootboek %(s)s (alleen file:…)") % {"s": item}
            )
        found.append(LedgerFile(item.removeprefix("file:")))
    return found


def _entry(rec: AuditRecord) -> Entry | None:
    if not rec.huishouden_id or not rec.object_ids:
        return None  # a shred from before the ledger kept the data key id
    return Entry(
        huishouden_id=str(rec.huishouden_id),
        data_key_id=str(rec.object_ids[0]),
        vernietigd_op=rec.occurred_at.isoformat(),
        record_id=rec.pk,
    )


def db_entries() -> list[Entry]:
    """The ledger as the database's audit trail has it."""
    records = AuditRecord.objects.filter(actie=Actie.SHRED, object_type="huishouden").order_by("id")
    return [e for e in (_entry(r) for r in records.iterator(chunk_size=2000)) if e is not None]


def store_entries(targets: list[LedgerFile] | None = None) -> list[Entry]:
    """Every entry of every store (duplicates across stores removed)."""
    seen: dict[str, Entry] = {}
    for store in stores() if targets is None else targets:
        for entry in store.read():
            seen.setdefault(entry.huishouden_id, entry)
    return list(seen.values())


def mirror(targets: list[LedgerFile] | None = None) -> int:
    """Append to each store the database's entries it lacks; returns entries written."""
    targets = stores() if targets is None else targets
    if not targets:
        return 0
    entries = db_entries()
    written = 0
    for store in targets:
        have = {e.huishouden_id for e in store.read()}
        missing = [e for e in entries if e.huishouden_id not in have]
        store.append(missing)
        written += len(missing)
    if written:
        log.info("shred_ledger_mirrored", entries=written)
    return written


def mirror_after_commit() -> None:
    """Called by a shredding: mirror once the transaction commits (the worker job catches up)."""

    def run() -> None:
        try:
            mirror()
        except LedgerError as exc:
            log.error("shred_ledger_mirror_failed", error=str(exc))

    transaction.on_commit(run)


def mirror_job() -> int:
    mirror()
    return 0


def behind(targets: list[LedgerFile] | None = None) -> list[Entry]:
    """Ledger entries whose data key this database still holds readable (a restored backup)."""
    from toegang.crypto.models import DataKey

    entries = store_entries(targets)
    by_key = {e.data_key_id: e for e in entries}
    keys = list(by_key)
    alive: set[str] = set()
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        alive.update(
            str(pk)
            for pk in DataKey.objects.filter(pk__in=chunk, destroyed_at__isnull=True)
            .exclude(wrapped=b"")
            .values_list("pk", flat=True)
        )
    return [by_key[k] for k in keys if k in alive]


def startup_problem() -> str | None:
    """Why the web process must not start (Dutch and English), or None."""
    try:
        late = behind()
    except LedgerError as exc:
        return f"{exc} / the shred ledger cannot be read"
    if not late:
        return None
    return (
        f"De database loopt achter op het vernietigingsgrootboek: {len(late)} vernietigde "
        "huishoudens zijn hier nog leesbaar (teruggezette back-up?). Draai eerst "
        "'python manage.py restore_check'. / The database is behind the shred ledger: "
        f"{len(late)} shredded households are readable again; run 'manage.py restore_check'."
    )
