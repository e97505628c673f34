"""The monitor's projection: outbox events → journal → fact tables.

One consumer at a time (an advisory lock on PostgreSQL) reads the outbox rows it
has not applied yet (``projected_at IS NULL``) in sequence order, a batch at a time,
writes them to its journal (``Gebeurtenis``; the event id is unique, so an event
that comes again is skipped), applies them to the facts, adds what changed to the
counters (``monitor.tellers``) and marks the rows, all in one transaction. Within
an aggregate the sequence is the commit order; across aggregates the facts are
written so that order does not matter. ``rebuild`` empties facts and counters and
replays the journal in the order it was applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, QuerySet
from django.utils import timezone

from monitor import restbijdrage, tellers
from monitor.models import (
    DIMENSIES,
    PROJECTIE_MODELLEN,
    ActieFeit,
    CasusFeit,
    Gebeurtenis,
    MetingFeit,
    Restbijdrage,
    SignaalFeit,
    Teller,
)
from monitor.tellers import Batch
from toegang.events.models import OutboxEvent
from toegang.logging import get_logger

log = get_logger(__name__)

BATCH = 500
#: Bumped by ``rebuild`` in this process: cached figures (``monitor.figures``) are recomputed.
GENERATIE = [0]
#: pg_try_advisory_xact_lock key: one consumer applies events at a time.
LOCK_KEY = 0x4D4F4E49544F52  # "MONITOR"
#: A casus's buurt after its address was corrected to one in no buurt (counted as unknown).
BUURT_ONBEKEND = "onbekend"


# -- applying one event -------------------------------------------------------------
# Each handler marks the units whose rows it changes (``Batch.raak``) before it does.


def _casus(casus_id: Any, batch: Batch) -> CasusFeit:
    batch.raak("casus", casus_id)
    feit, _created = CasusFeit.objects.get_or_create(casus_id=casus_id)
    return feit


def _link_changed(casus_id: Any, batch: Batch) -> None:
    """Recompute what a casus takes from its signals (first signal, buurt fallback)."""
    if casus_id is None:
        return
    feit = _casus(casus_id, batch)
    signalen = SignaalFeit.objects.filter(casus_id=casus_id)
    feit.eerste_signaal_op = signalen.aggregate(m=Min("ontvangen_op"))["m"]
    if not feit.buurt:
        first = signalen.exclude(buurt="").order_by("ontvangen_op").first()
        feit.buurt = first.buurt if first else ""
    feit.save()


def _signaal_ontvangen(ev: Gebeurtenis, data: Mapping[str, Any], batch: Batch) -> None:
    batch.raak("signaal", ev.aggregate_id)
    batch.uitstellen(
        SignaalFeit(
            signaal_id=ev.aggregate_id,
            ontvangen_op=ev.occurred_at,
            buurt=data.get("buurt") or "",
            organisatie_soort=data.get("organisatie_soort") or "",
            toestemming=data.get("toestemming") or "",
            leefgebieden=list(data.get("leefgebieden") or []),
            casus_id=data.get("casus_id"),
            huishouden_id=data.get("huishouden_id"),
        )
    )
    if data.get("casus_id"):
        batch.schrijven()
        _link_changed(data.get("casus_id"), batch)


def _signaal_link(ev: Gebeurtenis, casus_id: Any, batch: Batch) -> None:
    feit = SignaalFeit.objects.filter(signaal_id=ev.aggregate_id).first()
    if feit is None:
        return
    batch.raak("signaal", ev.aggregate_id)
    old = feit.casus_id
    feit.casus_id = casus_id
    feit.save(update_fields=["casus_id"])
    _link_changed(old, batch)
    _link_changed(casus_id, batch)


def _signaal_bijgewerkt(ev: Gebeurtenis, data: Mapping[str, Any], batch: Batch) -> None:
    if data.get("huishouden_id"):
        SignaalFeit.objects.filter(signaal_id=ev.aggregate_id).update(
            huishouden_id=data["huishouden_id"]
        )
    if data.get("onderdeel") == "ontkoppeld":
        _signaal_link(ev, None, batch)


def _casus_geopend(ev: Gebeurtenis, data: Mapping[str, Any], batch: Batch) -> None:
    feit = _casus(ev.aggregate_id, batch)
    feit.geopend_op = ev.occurred_at
    if data.get("buurt"):
        feit.buurt = data["buurt"]
    if data.get("aanspreekpunt_id") and feit.aanspreekpunt_op is None:
        feit.aanspreekpunt_op = ev.occurred_at
    feit.save()


def _aanspreekpunt(ev: Gebeurtenis, data: Mapping[str, Any], batch: Batch) -> None:
    feit = _casus(ev.aggregate_id, batch)
    if feit.aanspreekpunt_op is None:
        feit.aanspreekpunt_op = ev.occurred_at
        feit.save(update_fields=["aanspreekpunt_op"])


def _casus_gesloten(ev: Gebeurtenis, data: Mapping[str, Any], batch: Batch) -> None:
    feit = _casus(ev.aggregate_id, batch)
    feit.gesloten_op = ev.occurred_at
    feit.afsluitreden = data.get("afsluitreden") or ""
    feit.save(update_fields=["gesloten_op", "afsluitreden"])


def _casus_bijgewerkt(ev: Gebeurtenis, data: Mapping[str, Any], batch: Batch) -> None:
    onderdeel = data.get("onderdeel")
    rows = CasusFeit.objects.filter(casus_id=ev.aggregate_id)
    if onderdeel == "afsluiting" and data.get("afsluitreden"):
        batch.raak("casus", ev.aggregate_id)
        rows.update(afsluitreden=data["afsluitreden"])
    elif onderdeel == "heropend":
        batch.raak("casus", ev.aggregate_id)
        rows.update(gesloten_op=None, afsluitreden="")
    elif onderdeel == "buurt":
        # The household's address changed; a corrected address in no known buurt leaves
        # the casus in no buurt (not its signals' buurt, which came from the old address).
        feit = _casus(ev.aggregate_id, batch)
        feit.buurt = data.get("buurt") or BUURT_ONBEKEND
        feit.save(update_fields=["buurt"])


def _plan_bijgewerkt(ev: Gebeurtenis, data: Mapping[str, Any], batch: Batch) -> None:
    onderdeel = data.get("onderdeel")
    if onderdeel == "actie" and data.get("trede"):
        batch.raak("casus", ev.aggregate_id)
        feit, created = ActieFeit.objects.get_or_create(
            actie_id=data["object_id"],
            defaults={
                "casus_id": ev.aggregate_id,
                "trede": data["trede"],
                "aangemaakt_op": ev.occurred_at,
            },
        )
        if not created and feit.trede != data["trede"]:
            feit.trede = data["trede"]
            feit.save(update_fields=["trede"])
    elif onderdeel == "meting" and all(isinstance(data.get(d), int) for d in DIMENSIES):
        casus = _casus(ev.aggregate_id, batch)
        MetingFeit.objects.update_or_create(
            meting_id=data["object_id"],
            defaults={
                "casus_id": ev.aggregate_id,
                "soort": data.get("meting_soort") or "",
                "datum": dt.date.fromisoformat(data["datum"]),
                "vastgelegd_op": ev.occurred_at,
                **{d: data[d] for d in DIMENSIES},
            },
        )
        casus.eerste_gesprek_op = MetingFeit.objects.filter(casus_id=ev.aggregate_id).aggregate(
            m=Min("datum")
        )["m"]
        casus.save(update_fields=["eerste_gesprek_op"])


def _huishouden_vernietigd(ev: Gebeurtenis, data: Mapping[str, Any], batch: Batch) -> None:
    """The household's casussen and signals leave the projection; their counts stay
    (``restbijdrage``)."""
    geopend = Gebeurtenis.objects.filter(
        event_type="casus.geopend", payload__huishouden_id=ev.aggregate_id, id__lt=ev.pk
    ).values_list("aggregate_id", flat=True)
    for casus_id in list(geopend):
        restbijdrage.casus_vergeten(batch, casus_id, ev.occurred_at)
    restbijdrage.signalen_vergeten(batch, SignaalFeit.objects.filter(huishouden_id=ev.aggregate_id))


HANDLERS: dict[str, Callable[[Gebeurtenis, Mapping[str, Any], Batch], None]] = {
    "signaal.ontvangen": _signaal_ontvangen,
    "signaal.gekoppeld": lambda ev, data, batch: _signaal_link(ev, data.get("casus_id"), batch),
    "signaal.bijgewerkt": _signaal_bijgewerkt,
    "casus.geopend": _casus_geopend,
    "casus.aanspreekpunt_gewijzigd": _aanspreekpunt,
    "casus.gesloten": _casus_gesloten,
    "casus.bijgewerkt": _casus_bijgewerkt,
    "plan.bijgewerkt": _plan_bijgewerkt,
    "huishouden.vernietigd": _huishouden_vernietigd,
}


def apply(ev: Gebeurtenis, batch: Batch | None = None) -> None:
    """Apply one entry within ``batch`` (without one: in a batch of its own)."""
    if batch is None:
        batch = Batch()
        apply(ev, batch)
        batch.sluiten()
        return
    handler = HANDLERS.get(ev.event_type)
    if handler is not None:
        if ev.event_type != "signaal.ontvangen":
            batch.schrijven()  # the signal facts waiting in the batch, before anything reads
        handler(ev, ev.payload or {}, batch)


# -- the consumer -------------------------------------------------------------------


def _journal(rows: Iterable[OutboxEvent]) -> list[Gebeurtenis]:
    """Journal entries for the rows not applied before, in the rows' order."""
    rows = [row for row in rows if row.event_type in HANDLERS]
    seen = set(
        Gebeurtenis.objects.filter(event_id__in=[row.event_id for row in rows]).values_list(
            "event_id", flat=True
        )
    )
    entries = []
    for row in rows:
        if row.event_id in seen:
            continue
        seen.add(row.event_id)
        entries.append(
            Gebeurtenis(
                event_id=row.event_id,
                volgnummer=row.pk,
                event_type=row.event_type,
                schema_version=row.schema_version,
                aggregate_id=row.aggregate_id,
                payload=row.payload,
                occurred_at=row.created_at,
            )
        )
    created = Gebeurtenis.objects.bulk_create(entries)
    if created and created[0].pk is None:  # a backend that returns no ids: read them back
        ids = dict(
            Gebeurtenis.objects.filter(event_id__in=[e.event_id for e in created]).values_list(
                "event_id", "id"
            )
        )
        for entry in created:
            entry.pk = ids[entry.event_id]
    return created


def consume(rows: Iterable[OutboxEvent]) -> int:
    """Apply ``rows`` (in the caller's transaction, one batch); returns how many were new."""
    batch = Batch()
    entries = _journal(rows)
    # The units these events change, read at once (the handlers read any others).
    batch.raak("signaal", *(e.aggregate_id for e in entries if e.event_type.startswith("signaal.")))
    batch.raak(
        "casus",
        *(e.aggregate_id for e in entries if e.event_type.startswith(("casus.", "plan."))),
        *((e.payload or {}).get("casus_id") for e in entries),
    )
    for entry in entries:
        apply(entry, batch)
    batch.sluiten()
    return len(entries)


def _lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def consume_round(batch: int = BATCH) -> int:
    """One round of the worker job ``monitor_projectie``: the waiting rows, up to
    ``batch``, in one transaction; returns the rows handled."""
    with transaction.atomic():
        if not _lock():
            return 0
        rows = list(OutboxEvent.objects.filter(projected_at__isnull=True).order_by("id")[:batch])
        if not rows:
            return 0
        consume(rows)
        OutboxEvent.objects.filter(pk__in=[r.pk for r in rows]).update(projected_at=timezone.now())
    return len(rows)


def drain() -> int:
    """Apply everything waiting (tests, ``monitor_rebuild``, the demo)."""
    total = 0
    while done := consume_round():
        total += done
    return total


@transaction.atomic
def rebuild() -> int:
    """Empty the facts and counters and replay the journal in the order it was applied;
    the counters start from what destroyed casussen and signals left (their events are
    no longer in the journal)."""
    for model in PROJECTIE_MODELLEN:
        model.objects.all().delete()
    Teller.objects.exclude(maat=tellers.VERSIE).delete()  # versions only go up
    tellers.bijtellen(
        Teller,
        (((r.kwartaal, r.maat, r.code), r.aantal) for r in Restbijdrage.objects.iterator()),
    )
    count = replay(Gebeurtenis.objects.all())
    kwartalen = Teller.objects.values_list("kwartaal", flat=True).distinct()
    tellers.bijtellen(Teller, (((q, tellers.VERSIE, ""), 1) for q in kwartalen))
    GENERATIE[0] += 1
    log.info("monitor_rebuilt", events=count)
    return count


def replay(entries: QuerySet[Gebeurtenis]) -> int:
    """Apply journal entries again in the order they were applied (a batch per 2000)."""
    count = 0
    batch = Batch()
    for entry in entries.order_by("id").iterator(chunk_size=2000):
        apply(entry, batch)
        count += 1
        if count % 2000 == 0:
            batch.sluiten()
    batch.sluiten()
    return count
