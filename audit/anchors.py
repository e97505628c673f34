"""Anchors: the head of the sealed chain, written to stores outside the database.

An anchor is one JSON object: the latest seal (id, last record id, seal hash),
how many records the chain covers up to it, when it was sealed and anchored.
The worker publishes one whenever the head moved (job ``audit_anchor``), to
every store of ``settings.AUDIT_ANCHOR_STORE`` (comma-separated):

* ``file:<path>``: one JSON line appended per anchor (``O_APPEND`` and fsync);
  make the file append-only at the filesystem level (``chattr +a``) in production.
* ``nats://host:port/<STREAM>``: a JetStream stream created with deny-delete
  and deny-purge, one message per anchor (``Nats-Msg-Id``: the seal hash). The
  stream's configuration is checked on every read: a stream that allows
  deleting is reported, not trusted.

``audit_verify`` reads every anchor back (``check_anchors``): each anchored seal
must still be in the chain with the same hash, and the chain must reach the
last anchor; a tail cut off below it is detected even when what is left of the
chain is consistent in itself.

Nothing passes silently: a store that is empty (or gone) while the chain has
seals older than the anchoring interval allows (``stale_limit``) is a problem
for ``audit_verify``, ``/healthz`` and the worker, which then does not start the
store afresh on its own (``audit_export_seals --publish --start`` does, after
the operator looked into it). A file given with ``--anchor`` must exist and
hold anchors; lines of ``audit_export_seals`` are checked field by field.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditSeal
from toegang.logging import get_logger

log = get_logger(__name__)

FORMAT = 1
_TAIL_BYTES = 4096
#: Seconds one round with the NATS store may take (connect, check the stream, work).
NATS_TIMEOUT = 10.0


class AnchorError(Exception):
    """A store cannot be reached, read or trusted; the message is Dutch, for the operator."""


@dataclass(frozen=True)
class Anchor:
    seal_id: int
    last_id: int
    records: int
    seal_hash: str
    sealed_at: str
    anchored_at: str
    #: Only in lines of ``audit_export_seals`` (checked when present).
    first_id: int | None = None
    count: int | None = None
    previous_hash: str = ""

    def to_json(self) -> str:
        data = {"format": FORMAT, **{k: v for k, v in self.__dict__.items() if v not in (None, "")}}
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def parse(cls, text: str, where: str) -> Anchor:
        try:
            data = json.loads(text)
            if data.get("format", FORMAT) != FORMAT:
                raise AnchorError(
                    _("%(where)s heeft een onbekend ankerformaat %(f)s")
                    % {"where": where, "f": data.get("format")}
                )
            return cls(
                seal_id=int(data["seal_id"]),
                last_id=int(data["last_id"]),
                records=int(data.get("records", 0)),
                seal_hash=str(data["seal_hash"]),
                sealed_at=str(data.get("sealed_at", "")),
                anchored_at=str(data.get("anchored_at", "")),
                first_id=_optional_int(data, "first_id"),
                count=_optional_int(data, "count"),
                previous_hash=str(data.get("previous_hash") or ""),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise AnchorError(_("%(where)s is geen geldig anker") % {"where": where}) from None


def _optional_int(data: dict[str, Any], key: str) -> int | None:
    return int(data[key]) if data.get(key) is not None else None


class Store(Protocol):
    name: str

    def append(self, anchor: Anchor) -> None: ...

    def read(self) -> list[Anchor]: ...

    def last(self) -> Anchor | None: ...


class FileStore:
    """Append-only JSON lines; a missing file reads as no anchors (the first run), unless
    ``required`` (a file given to ``audit_verify --anchor``: it must exist and hold anchors)."""

    def __init__(self, path: str, *, required: bool = False) -> None:
        target = Path(path)
        if not target.is_absolute():
            target = Path(settings.BASE_DIR) / target
        self.path = target
        self.name = f"file:{path}"
        self.required = required

    def append(self, anchor: Anchor) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, anchor.to_json().encode("utf-8") + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise AnchorError(
                _("ankerbestand %(p)s niet schrijfbaar (%(e)s)")
                % {"p": self.path, "e": type(exc).__name__}
            ) from None

    def read(self) -> list[Anchor]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if self.required:
                raise AnchorError(_("ankerbestand %(p)s bestaat niet") % {"p": self.path}) from None
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise AnchorError(
                _("ankerbestand %(p)s niet leesbaar (%(e)s)")
                % {"p": self.path, "e": type(exc).__name__}
            ) from None
        found = [
            Anchor.parse(line, _("ankerbestand regel %(n)d") % {"n": number})
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        ]
        if self.required and not found:
            raise AnchorError(_("ankerbestand %(p)s bevat geen ankers") % {"p": self.path})
        return found

    def last(self) -> Anchor | None:
        """The last anchor, from the file's tail only (the file grows for years)."""
        try:
            with open(self.path, "rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - _TAIL_BYTES))
                tail = handle.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AnchorError(
                _("ankerbestand %(p)s niet leesbaar (%(e)s)")
                % {"p": self.path, "e": type(exc).__name__}
            ) from None
        lines = [line for line in tail.splitlines() if line.strip()]
        return Anchor.parse(lines[-1], _("laatste regel van het ankerbestand")) if lines else None


class NatsStore:
    """A JetStream stream that refuses delete and purge, one message per anchor."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.stream = parts.path.strip("/")
        if not self.stream:
            raise AnchorError(_("NATS-ankeropslag zonder streamnaam: %(u)s") % {"u": url})
        self.server = f"nats://{parts.netloc}"
        self.subject = f"audit.anker.{self.stream.lower()}"
        self.name = f"{self.server}/{self.stream}"

    def _run(self, work: Any) -> Any:
        try:
            parts = urlsplit(self.server)
            # A refused port answers at once here; nats-py would retry until the timeout.
            socket.create_connection((parts.hostname or "", parts.port or 4222), timeout=2).close()
            return asyncio.run(self._bounded(work))
        except AnchorError:
            raise
        except Exception as exc:
            raise AnchorError(
                _("NATS-ankeropslag %(n)s onbereikbaar of geweigerd (%(e)s)")
                % {"n": self.name, "e": type(exc).__name__}
            ) from None

    async def _bounded(self, work: Any) -> Any:
        # nats-py may keep retrying a refused first connection: bound the whole round.
        async with asyncio.timeout(NATS_TIMEOUT):
            return await self._with_stream(work)

    async def _with_stream(self, work: Any) -> Any:
        import nats
        from nats.js.api import StreamConfig
        from nats.js.errors import NotFoundError

        async def quiet(exc: Exception) -> None:
            return None

        nc = await nats.connect(
            self.server,
            connect_timeout=2,
            allow_reconnect=False,
            max_reconnect_attempts=0,
            error_cb=quiet,
        )
        try:
            js = nc.jetstream(timeout=5)
            try:
                info = await js.stream_info(self.stream)
            except NotFoundError:
                info = await js.add_stream(
                    StreamConfig(
                        name=self.stream,
                        subjects=[self.subject],
                        deny_delete=True,
                        deny_purge=True,
                        allow_rollup_hdrs=False,
                    )
                )
            if not (info.config.deny_delete and info.config.deny_purge):
                raise AnchorError(
                    _("NATS-stream %(s)s staat verwijderen of legen toe: geen betrouwbare ankers")
                    % {"s": self.stream}
                )
            return await work(js, info)
        finally:
            await nc.close()

    def append(self, anchor: Anchor) -> None:
        async def publish(js: Any, info: Any) -> None:
            await js.publish(
                self.subject,
                anchor.to_json().encode("utf-8"),
                headers={"Nats-Msg-Id": anchor.seal_hash},
            )

        self._run(publish)

    def _messages(self, first_only_last: bool) -> list[Anchor]:
        async def fetch(js: Any, info: Any) -> list[Anchor]:
            state = info.state
            if not state.messages:
                return []
            lo = state.last_seq if first_only_last else state.first_seq
            found = []
            for seq in range(lo, state.last_seq + 1):
                message = await js.get_msg(self.stream, seq)
                found.append(
                    Anchor.parse(message.data.decode("utf-8"), f"{self.name} bericht {seq}")
                )
            return found

        return list(self._run(fetch))

    def read(self) -> list[Anchor]:
        return self._messages(first_only_last=False)

    def last(self) -> Anchor | None:
        found = self._messages(first_only_last=True)
        return found[-1] if found else None


def configured() -> str:
    return str(getattr(settings, "AUDIT_ANCHOR_STORE", "") or "").strip()


def stores(spec: str | None = None) -> list[Store]:
    """The stores of ``spec`` (default: the setting); unknown schemes are an error."""
    spec = configured() if spec is None else spec
    found: list[Store] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        if item.startswith("file:"):
            found.append(FileStore(item.removeprefix("file:")))
        elif item.startswith("nats://"):
            found.append(NatsStore(item))
        else:
            raise AnchorError(_("onbekende ankeropslag %(s)s (file:… of nats://…)") % {"s": item})
    return found


def head() -> Anchor | None:
    """An anchor for the latest seal now, or None before the first seal."""
    seal = AuditSeal.objects.order_by("-last_id").first()
    if seal is None:
        return None
    records = AuditSeal.objects.filter(last_id__lte=seal.last_id).aggregate(n=Sum("count"))["n"]
    return Anchor(
        seal_id=seal.pk,
        last_id=seal.last_id,
        records=int(records or 0),
        seal_hash=seal.seal_hash,
        sealed_at=seal.sealed_at.isoformat(),
        anchored_at=timezone.now().isoformat(),
    )


def stale_limit() -> float:
    """Seconds a seal may wait for its anchor (three intervals and a minute)."""
    return 3 * float(getattr(settings, "AUDIT_ANCHOR_INTERVAL", 300.0)) + 60


def _oldest_seal_before(seconds: float) -> datetime | None:
    """When the oldest seal was made, if that is longer than ``seconds`` ago."""
    first = AuditSeal.objects.order_by("last_id").values_list("sealed_at", flat=True).first()
    if first is None or (timezone.now() - first).total_seconds() <= seconds:
        return None
    return first


def empty_store_problem(store: Store) -> str | None:
    """A store without anchors while older seals exist: removed, emptied or never used."""
    oldest = _oldest_seal_before(stale_limit())
    if oldest is None:
        return None
    return _(
        "ankeropslag %(s)s is leeg of ontbreekt, terwijl er al zegels zijn van %(t)s: "
        "zijn de ankers verwijderd? Zoek dat uit en begin de opslag daarna opnieuw met "
        "'manage.py audit_export_seals --publish --start'"
    ) % {"s": store.name, "t": f"{timezone.localtime(oldest):%Y-%m-%d %H:%M}"}


def publish(targets: Iterable[Store] | None = None, *, start: bool = False) -> int:
    """Anchor the head in every store whose last anchor is older; returns stores written.

    An empty store while older seals exist is refused (``AnchorError``) unless
    ``start``: the worker never starts a store afresh on its own.
    """
    anchor = head()
    if anchor is None:
        return 0
    written = 0
    for store in stores() if targets is None else targets:
        last = store.last()
        if last is not None and last.seal_id >= anchor.seal_id:
            continue
        if last is None and not start and (problem := empty_store_problem(store)):
            raise AnchorError(problem)
        store.append(anchor)
        written += 1
        log.info("audit_anchored", store=store.name.split(":")[0], seal_id=anchor.seal_id)
    return written


def publish_job() -> int:
    """The worker job: anchor the head when it moved (no store configured: nothing)."""
    if not configured():
        return 0
    try:
        publish()
    except AnchorError as exc:
        log.error("audit_anchor_failed", detail=str(exc))  # and /healthz says so
    return 0  # never busy: the next anchor waits for the interval


@dataclass
class AnchorCheck:
    anchors: int = 0
    stores: int = 0
    problem: str | None = None
    latest: Anchor | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_anchors(anchors: list[Anchor]) -> AnchorCheck:
    """Every anchored seal is still in the chain unchanged, and the chain reaches the last."""
    result = AnchorCheck(anchors=len(anchors))
    if not anchors:
        return result
    latest = max(anchors, key=lambda a: a.last_id)
    result.latest = latest
    top = AuditSeal.objects.order_by("-last_id").values_list("last_id", flat=True).first() or 0
    if top < latest.last_id:
        result.problem = _(
            "de keten is ingekort: het laatste anker (zegel %(id)d) dekt auditregels tot en met "
            "%(anchored)d, de database heeft zegels tot en met %(top)d"
        ) % {"id": latest.seal_id, "anchored": latest.last_id, "top": top}
        return result
    wanted = {a.seal_id: a for a in anchors}
    ids = sorted(wanted)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        found = {
            pk: (last_id, seal_hash)
            for pk, last_id, seal_hash in AuditSeal.objects.filter(id__in=chunk).values_list(
                "id", "last_id", "seal_hash"
            )
        }
        exported = _exported_fields([wanted[i] for i in chunk])
        for seal_id in chunk:
            anchor = wanted[seal_id]
            if found.get(seal_id) != (anchor.last_id, anchor.seal_hash) or (
                seal_id in exported and exported[seal_id] != _fields_of(anchor)
            ):
                result.problem = _(
                    "verankerde zegel %(id)d (tot en met auditregel %(last)d) ontbreekt of wijkt af"
                ) % {"id": seal_id, "last": anchor.last_id}
                return result
    return result


def _fields_of(anchor: Anchor) -> tuple[int | None, int | None, str]:
    return (anchor.first_id, anchor.count, anchor.previous_hash)


def _exported_fields(anchors: list[Anchor]) -> dict[int, tuple[int | None, int | None, str]]:
    """For lines of ``audit_export_seals``: the database's first id, count and previous hash."""
    ids = [a.seal_id for a in anchors if a.first_id is not None or a.count is not None]
    if not ids:
        return {}
    return {
        pk: (first_id, count, previous)
        for pk, first_id, count, previous in AuditSeal.objects.filter(id__in=ids).values_list(
            "id", "first_id", "count", "previous_hash"
        )
    }


def check_stores(targets: Iterable[Store] | None = None) -> AnchorCheck:
    """Read every configured store and check its anchors; a store that fails is the problem."""
    targets = list(stores() if targets is None else targets)
    combined = AnchorCheck(stores=len(targets))
    for store in targets:
        anchors = store.read()
        if not anchors and (problem := empty_store_problem(store)):
            combined.problem = problem
            return combined
        result = check_anchors(anchors)
        combined.anchors += result.anchors
        if result.latest and (
            combined.latest is None or result.latest.last_id > combined.latest.last_id
        ):
            combined.latest = result.latest
        if result.problem:
            combined.problem = f"{store.name}: {result.problem}"
            return combined
    return combined


def status() -> dict[str, Any]:
    """For ``/healthz``: are anchors configured, reachable and recent?"""
    spec = configured()
    if not spec:
        return {"ok": False, "detail": _("geen ankeropslag ingesteld (AUDIT_ANCHOR_STORE)")}
    try:
        targets = stores(spec)
        lasts = [store.last() for store in targets]
    except AnchorError as exc:
        return {"ok": False, "detail": str(exc)}
    for store, last in zip(targets, lasts, strict=True):
        if last is None and (problem := empty_store_problem(store)):
            return {"ok": False, "stores": len(targets), "detail": problem}
    anchored = min((a.last_id if a else 0) for a in lasts) if lasts else 0
    result: dict[str, Any] = {"ok": True, "stores": len(targets), "verankerd_tot": anchored}
    oldest = (
        AuditSeal.objects.filter(last_id__gt=anchored)
        .order_by("last_id")
        .values_list("sealed_at", flat=True)
        .first()
    )
    limit = stale_limit()
    if oldest is not None and (timezone.now() - oldest).total_seconds() > limit:
        result["ok"] = False
        result["detail"] = _("zegels ouder dan %(s)d s zijn nog niet verankerd") % {"s": int(limit)}
    return result


def anchored_at(anchor: Anchor | None) -> datetime | None:
    if anchor is None or not anchor.anchored_at:
        return None
    try:
        return datetime.fromisoformat(anchor.anchored_at)
    except ValueError:
        return None
