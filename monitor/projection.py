"""The monitor's projection: outbox events → journal → fact tables.

One consumer at a time (an advisory lock on PostgreSQL) reads the outbox rows it
has not applied yet (``projected_at IS NULL``) in sequence order, writes them to
its journal (``Gebeurtenis``, one insert per round; the event id is unique, so an
event that comes again is skipped) and applies them to the facts in order (a run
of received signals in one upsert), and marks the rows, all in one transaction.
Within an aggregate the sequence is the commit order; across aggregates the facts
are written so that order does not matter. ``rebuild`` empties the facts and
replays the journal in the order it was applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from monitor import restbijdrage
from monitor.models import (
    DIMENSIES,
    PROJECTIE_MODELLEN,
    ActieFeit,
    CasusFeit,
    Gebeurtenis,
    MetingFeit,
    SignaalFeit,
)
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


def _casus(casus_id: Any) -> CasusFeit:
    feit, _created = CasusFeit.objects.get_or_create(casus_id=casus_id)
    return feit


def _link_changed(casus_id: Any) -> None:
    """Recompute what a casus takes from its signals (first signal, buurt fallback)."""
    if casus_id is None:
        return
    feit = _casus(casus_id)
    signalen = SignaalFeit.objects.filter(casus_id=casus_id)
    feit.eerste_signaal_op = signalen.aggregate(m=Min("ontvangen_op"))["m"]
    if not feit.buurt:
        first = signalen.exclude(buurt="").order_by("ontvangen_op").first()
        feit.buurt = first.buurt if first else ""
    feit.save()


_SIGNAAL_FEIT_VELDEN = [
    "ontvangen_op",
    "buurt",
    "organisatie_soort",
    "toestemming",
    "leefgebieden",
    "casus_id",
]


def _signalen_ontvangen(entries: list[Gebeurtenis]) -> None:
    """A run of ``signaal.ontvangen``: one upsert of their facts, then their casussen."""
    feiten: dict[str, SignaalFeit] = {}
    for ev in entries:
        data = ev.payload or {}
        feiten[str(ev.aggregate_id)] = SignaalFeit(
            signaal_id=ev.aggregate_id,
            ontvangen_op=ev.occurred_at,
            buurt=data.get("buurt") or "",
            organisatie_soort=data.get("organisatie_soort") or "",
            toestemming=data.get("toestemming") or "",
            leefgebieden=list(data.get("leefgebieden") or []),
            casus_id=data.get("casus_id"),
        )
    SignaalFeit.objects.bulk_create(
        list(feiten.values()),
        update_conflicts=True,
        unique_fields=["signaal_id"],
        update_fields=_SIGNAAL_FEIT_VELDEN,
    )
    for casus_id in dict.fromkeys((ev.payload or {}).get("casus_id") for ev in entries):
        _link_changed(casus_id)


def _signaal_ontvangen(ev: Gebeurtenis, data: Mapping[str, Any]) -> None:
    _signalen_ontvangen([ev])


def _signaal_link(ev: Gebeurtenis, casus_id: Any) -> None:
    feit = SignaalFeit.objects.filter(signaal_id=ev.aggregate_id).first()
    if feit is None:
        return
    old = feit.casus_id
    feit.casus_id = casus_id
    feit.save(update_fields=["casus_id"])
    _link_changed(old)
    _link_changed(casus_id)


def _signaal_bijgewerkt(ev: Gebeurtenis, data: Mapping[str, Any]) -> None:
    if data.get("onderdeel") == "ontkoppeld":
        _signaal_link(ev, None)


def _casus_geopend(ev: Gebeurtenis, data: Mapping[str, Any]) -> None:
    feit = _casus(ev.aggregate_id)
    feit.geopend_op = ev.occurred_at
    if data.get("buurt"):
        feit.buurt = data["buurt"]
    if data.get("aanspreekpunt_id") and feit.aanspreekpunt_op is None:
        feit.aanspreekpunt_op = ev.occurred_at
    feit.save()


def _aanspreekpunt(ev: Gebeurtenis, data: Mapping[str, Any]) -> None:
    feit = _casus(ev.aggregate_id)
    if feit.aanspreekpunt_op is None:
        feit.aanspreekpunt_op = ev.occurred_at
        feit.save(update_fields=["aanspreekpunt_op"])


def _casus_gesloten(ev: Gebeurtenis, data: Mapping[str, Any]) -> None:
    feit = _casus(ev.aggregate_id)
    feit.gesloten_op = ev.occurred_at
    feit.afsluitreden = data.get("afsluitreden") or ""
    feit.save(update_fields=["gesloten_op", "afsluitreden"])


def _casus_bijgewerkt(ev: Gebeurtenis, data: Mapping[str, Any]) -> None:
    onderdeel = data.get("onderdeel")
    if onderdeel == "afsluiting" and data.get("afsluitreden"):
        CasusFeit.objects.filter(casus_id=ev.aggregate_id).update(afsluitreden=data["afsluitreden"])
    elif onderdeel == "heropend":
        CasusFeit.objects.filter(casus_id=ev.aggregate_id).update(gesloten_op=None, afsluitreden="")
    elif onderdeel == "buurt":
        # The household's address changed; a corrected address in no known buurt leaves
        # the casus in no buurt (not its signals' buurt, which came from the old address).
        feit = _casus(ev.aggregate_id)
        feit.buurt = data.get("buurt") or BUURT_ONBEKEND
        feit.save(update_fields=["buurt"])


def _plan_bijgewerkt(ev: Gebeurtenis, data: Mapping[str, Any]) -> None:
    onderdeel = data.get("onderdeel")
    if onderdeel == "actie" and data.get("trede"):
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
        casus = _casus(ev.aggregate_id)
        casus.eerste_gesprek_op = MetingFeit.objects.filter(casus_id=ev.aggregate_id).aggregate(
            m=Min("datum")
        )["m"]
        casus.save(update_fields=["eerste_gesprek_op"])


def _huishouden_vernietigd(ev: Gebeurtenis, data: Mapping[str, Any]) -> None:
    """The household's casussen leave the projection; their counts stay (``restbijdrage``)."""
    geopend = Gebeurtenis.objects.filter(
        event_type="casus.geopend", payload__huishouden_id=ev.aggregate_id, id__lt=ev.pk
    ).values_list("aggregate_id", flat=True)
    for casus_id in list(geopend):
        restbijdrage.vergeten(casus_id, ev.occurred_at)


HANDLERS: dict[str, Callable[[Gebeurtenis, Mapping[str, Any]], None]] = {
    "signaal.ontvangen": _signaal_ontvangen,
    "signaal.gekoppeld": lambda ev, data: _signaal_link(ev, data.get("casus_id")),
    "signaal.bijgewerkt": _signaal_bijgewerkt,
    "casus.geopend": _casus_geopend,
    "casus.aanspreekpunt_gewijzigd": _aanspreekpunt,
    "casus.gesloten": _casus_gesloten,
    "casus.bijgewerkt": _casus_bijgewerkt,
    "plan.bijgewerkt": _plan_bijgewerkt,
    "huishouden.vernietigd": _huishouden_vernietigd,
}


def apply(ev: Gebeurtenis) -> None:
    handler = HANDLERS.get(ev.event_type)
    if handler is not None:
        handler(ev, ev.payload or {})


#: Event types whose consecutive entries are applied together (one statement for the run).
_BATCHED: dict[str, Callable[[list[Gebeurtenis]], None]] = {
    "signaal.ontvangen": _signalen_ontvangen,
}


def apply_all(entries: Iterable[Gebeurtenis]) -> int:
    """Apply journal entries in order; a run of one batched type goes in one step."""
    run: list[Gebeurtenis] = []
    count = 0

    def flush() -> None:
        if run:
            _BATCHED[run[0].event_type](run)
            run.clear()

    for entry in entries:
        count += 1
        if run and run[0].event_type != entry.event_type:
            flush()
        if entry.event_type in _BATCHED:
            run.append(entry)
        else:
            apply(entry)
    flush()
    return count


# -- the consumer -------------------------------------------------------------------


def _journal(rows: list[OutboxEvent]) -> list[Gebeurtenis]:
    """The new journal entries of ``rows`` (one insert), without events applied before."""
    wanted = [row for row in rows if row.event_type in HANDLERS]
    if not wanted:
        return []
    seen = set(
        Gebeurtenis.objects.filter(event_id__in=[row.event_id for row in wanted]).values_list(
            "event_id", flat=True
        )
    )
    entries: dict[Any, Gebeurtenis] = {}
    for row in wanted:
        if row.event_id not in seen and row.event_id not in entries:
            entries[row.event_id] = Gebeurtenis(
                event_id=row.event_id,
                volgnummer=row.pk,
                event_type=row.event_type,
                schema_version=row.schema_version,
                aggregate_id=row.aggregate_id,
                payload=row.payload,
                occurred_at=row.created_at,
            )
    created = Gebeurtenis.objects.bulk_create(list(entries.values()))
    if created and created[0].pk is None:  # a backend that returns no ids: read them back
        ids = dict(
            Gebeurtenis.objects.filter(event_id__in=list(entries)).values_list("event_id", "id")
        )
        for entry in created:
            entry.pk = ids[entry.event_id]
    return created


def consume(rows: Iterable[OutboxEvent]) -> int:
    """Apply ``rows`` (in the caller's transaction); returns how many were new."""
    return apply_all(_journal(list(rows)))


def _lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def consume_round(batch: int = BATCH) -> int:
    """One round of the worker job ``monitor_projectie``: returns the rows handled."""
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
    """Empty the facts and replay the journal in the order it was applied (the counts of
    destroyed casussen stay: their events are no longer in the journal)."""
    for model in PROJECTIE_MODELLEN:
        model.objects.all().delete()
    count = apply_all(Gebeurtenis.objects.order_by("id").iterator(chunk_size=2000))
    GENERATIE[0] += 1
    log.info("monitor_rebuilt", events=count)
    return count
