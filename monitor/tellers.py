"""The counters behind the figures: what each fact of the projection adds to them.

A unit is a signal or a casus (with its acties and metingen). ``signaal`` and
``casus`` give the counts one unit adds, keyed (quarter, measure, code). The
projection records a unit's contribution before an event changes it and adds the
difference after the batch (``Batch``), so ``Teller`` always holds the sum over
all facts plus what destroyed ones left behind (``Restbijdrage``). A quarter's
figures then read a few hundred counters, whatever the number of casussen.

Measures counted in the quarter they fall in: ``signalen`` (per buurt),
``signalen:soort``, ``signalen:toestemming``, ``signalen:maand``, ``signalen:casus``
(``ja``), ``signalen:leefgebied``; ``nieuw`` and ``gesloten`` (per buurt),
``afsluitreden``; ``acties:trede``; ``gezondheid:<dimensie>`` (``beter``,
``gelijk``, ``slechter`` and ``verschil``, the sum of the changes, for the mean);
``mediaan:aanspreekpunt`` (days from the first signal to an aanspreekpunt, rounded
to a tenth: code = tenths) and ``mediaan:gesprek`` (whole days to the first
conversation): histograms, so the median is exact for those values.

Each batch also counts ``versie`` up in every quarter it changed (``VERSIE``).

Running measures, whose figure for a quarter is the sum over it and every quarter
before: ``plannen`` (``licht``/``zwaar``: +1 in the first quarter a casus counts,
-1 in the quarter after its last), and the open casussen per buurt, which are the
new minus the closed ones so far.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection

from monitor.models import DIMENSIES, ActieFeit, CasusFeit, MetingFeit, SignaalFeit, Telling
from monitor.periode import Kwartaal, lokale_datum

#: (quarter, measure, code) → count.
Bijdrage = Counter[tuple[str, str, str]]
RICHTINGEN = ("beter", "gelijk", "slechter")
#: Counted up for a quarter by every batch that changes one of its counters: the figures
#: of a quarter are cached for the sum over it and the quarters before.
VERSIE = "versie"


def _q(moment: dt.datetime | dt.date) -> Kwartaal:
    return Kwartaal.van(lokale_datum(moment) if isinstance(moment, dt.datetime) else moment)


# -- a signal -------------------------------------------------------------------------


def signalen(ids: Iterable[Any]) -> dict[str, Bijdrage]:
    """What each signal adds (one query for all)."""
    uit: dict[str, Bijdrage] = {str(pk): Counter() for pk in ids}
    for feit in SignaalFeit.objects.filter(signaal_id__in=list(uit)):
        uit[str(feit.signaal_id)] = signaal_van(feit)
    return uit


def signaal_van(feit: SignaalFeit) -> Bijdrage:
    dag = lokale_datum(feit.ontvangen_op)
    q = str(Kwartaal.van(dag))
    bijdrage: Bijdrage = Counter()
    for maat, code in (
        ("signalen", feit.buurt),
        ("signalen:soort", feit.organisatie_soort),
        ("signalen:toestemming", feit.toestemming),
        ("signalen:maand", str(dag.month)),
        *((("signalen:casus", "ja"),) if feit.casus_id else ()),
        *(("signalen:leefgebied", c) for c in sorted(set(feit.leefgebieden or []))),
    ):
        bijdrage[(q, maat, code)] += 1
    return bijdrage


# -- a casus --------------------------------------------------------------------------


def casus(casus_id: Any, einde: dt.datetime | None = None) -> Bijdrage:
    """What the casus adds; ``einde``: when it ends if it is open (its destruction)."""
    return casussen([casus_id], einde)[str(casus_id)]


def casussen(ids: Iterable[Any], einde: dt.datetime | None = None) -> dict[str, Bijdrage]:
    """What each casus adds, with its acties and metingen (three queries for all)."""
    ids = [str(pk) for pk in ids]
    feiten = {str(f.casus_id): f for f in CasusFeit.objects.filter(casus_id__in=ids)}
    acties: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for casus_id, op, trede in (
        ActieFeit.objects.filter(casus_id__in=ids)
        .order_by("aangemaakt_op", "actie_id")
        .values_list("casus_id", "aangemaakt_op", "trede")
    ):
        acties[str(casus_id)].append((op, trede))
    metingen: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for casus_id, *meting in (
        MetingFeit.objects.filter(casus_id__in=ids)
        .order_by("datum", "vastgelegd_op", "meting_id")
        .values_list("casus_id", "datum", *DIMENSIES)
    ):
        metingen[str(casus_id)].append(tuple(meting))
    return {pk: _casus_van(feiten.get(pk), acties[pk], metingen[pk], einde) for pk in ids}


def _casus_van(
    feit: CasusFeit | None,
    acties: Sequence[tuple[dt.datetime, int]],
    metingen: Sequence[tuple[Any, ...]],
    einde: dt.datetime | None,
) -> Bijdrage:
    bijdrage: Bijdrage = Counter()
    for op, trede in acties:
        bijdrage[(str(_q(op)), "acties:trede", str(trede))] += 1
    _gezondheid(bijdrage, metingen)
    if feit is not None:
        _medianen(bijdrage, feit)
        if feit.geopend_op is not None:
            _verloop(bijdrage, feit, acties, feit.gesloten_op or einde)
    return bijdrage


def _verloop(
    bijdrage: Bijdrage,
    feit: CasusFeit,
    acties: Sequence[tuple[dt.datetime, int]],
    gesloten: dt.datetime | None,
) -> None:
    """New, closed (and so open) per buurt, the closure reason, and the plan's weight in
    each quarter the casus is active with actions so far."""
    assert feit.geopend_op is not None
    eerste = _q(feit.geopend_op)
    bijdrage[(str(eerste), "nieuw", feit.buurt)] += 1
    na = None
    if gesloten is not None:
        laatste = _q(gesloten)
        bijdrage[(str(laatste), "gesloten", feit.buurt)] += 1
        bijdrage[(str(laatste), "afsluitreden", feit.afsluitreden)] += 1
        na = laatste.volgende()
    if not acties:
        return
    start = max(eerste, _q(acties[0][0]))
    zwaar = min((_q(op) for op, trede in acties if trede > 2), default=None)
    if zwaar is not None:
        zwaar = max(zwaar, start)
    licht_tot = zwaar if zwaar is not None and (na is None or zwaar < na) else na
    _bereik(bijdrage, "licht", start, licht_tot)
    if zwaar is not None:
        _bereik(bijdrage, "zwaar", zwaar, na)


def _bereik(bijdrage: Bijdrage, code: str, van: Kwartaal, tot: Kwartaal | None) -> None:
    """Counted as ``plannen:code`` from quarter ``van`` up to (not including) ``tot``."""
    if tot is not None and tot <= van:
        return
    bijdrage[(str(van), "plannen", code)] += 1
    if tot is not None:
        bijdrage[(str(tot), "plannen", code)] -= 1


def _gezondheid(bijdrage: Bijdrage, metingen: Sequence[tuple[Any, ...]]) -> None:
    """Change per dimension from the first to the latest meting, in the latest's quarter."""
    if len(metingen) < 2:
        return
    eerste, laatste = metingen[0], metingen[-1]
    q = str(_q(laatste[0]))
    for i, dim in enumerate(DIMENSIES, start=1):
        verschil = laatste[i] - eerste[i]
        richting = RICHTINGEN[0 if verschil > 0 else 1 if verschil == 0 else 2]
        bijdrage[(q, f"gezondheid:{dim}", richting)] += 1
        bijdrage[(q, f"gezondheid:{dim}", "verschil")] += verschil


def _medianen(bijdrage: Bijdrage, feit: CasusFeit) -> None:
    signaal_op = feit.eerste_signaal_op
    if signaal_op is None:
        return
    q = str(_q(signaal_op))
    if feit.aanspreekpunt_op is not None and feit.aanspreekpunt_op >= signaal_op:
        tienden = round((feit.aanspreekpunt_op - signaal_op).total_seconds() / 8640)
        bijdrage[(q, "mediaan:aanspreekpunt", str(tienden))] += 1
    dag = lokale_datum(signaal_op)
    if feit.eerste_gesprek_op is not None and feit.eerste_gesprek_op >= dag:
        bijdrage[(q, "mediaan:gesprek", str((feit.eerste_gesprek_op - dag).days))] += 1


def mediaan(histogram: dict[str, int]) -> float | None:
    """The median of the values (codes, integers) counted in ``histogram``."""
    waarden = sorted((int(code), n) for code, n in histogram.items() if n > 0)
    totaal = sum(n for _w, n in waarden)
    if not totaal:
        return None
    midden = [(totaal - 1) // 2, totaal // 2]
    gevonden: list[int] = []
    gezien = 0
    for waarde, n in waarden:
        while len(gevonden) < 2 and midden[len(gevonden)] < gezien + n:
            gevonden.append(waarde)
        gezien += n
    return (gevonden[0] + gevonden[1]) / 2


# -- writing --------------------------------------------------------------------------

EENHEDEN: dict[str, Callable[[Iterable[Any]], dict[str, Bijdrage]]] = {
    "signaal": signalen,
    "casus": casussen,
}


class Batch:
    """The contributions of the units touched by a batch of events, before the first
    change; ``sluiten`` adds the differences to the counters. New signal facts wait here
    too (``uitstellen``), to be written in one statement (``schrijven``)."""

    def __init__(self) -> None:
        self._voor: dict[tuple[str, str], Bijdrage] = {}
        self._signalen: dict[str, SignaalFeit] = {}
        self._delta: Bijdrage = Counter()
        self.rest: Bijdrage = Counter()

    def raak(self, soort: str, *pks: Any) -> None:
        """Call before changing the units' rows (all a batch will change at once, when
        known: one query for them)."""
        nieuw = {str(pk) for pk in pks if pk is not None and (soort, str(pk)) not in self._voor}
        if nieuw:
            for pk, bijdrage in EENHEDEN[soort](nieuw).items():
                self._voor[(soort, pk)] = bijdrage

    def vergeten(self, soort: str, pk: Any, eind: Bijdrage) -> None:
        """The unit leaves the projection with ``eind`` as its last contribution, which
        stays in the counters and in ``Restbijdrage``; the caller deletes its rows."""
        self.raak(soort, pk)
        voor = self._voor.pop((soort, str(pk)))
        self.rest.update(eind)
        self._delta.update(eind)
        self._delta.subtract(voor)

    def uitstellen(self, feit: SignaalFeit) -> None:
        self._signalen[str(feit.signaal_id)] = feit

    def schrijven(self) -> None:
        """Write the waiting signal facts (insert, or update one that came before)."""
        if self._signalen:
            velden = [f.name for f in SignaalFeit._meta.fields if not f.primary_key]
            SignaalFeit.objects.bulk_create(
                list(self._signalen.values()),
                update_conflicts=True,
                unique_fields=["signaal_id"],
                update_fields=velden,
            )
            self._signalen.clear()

    def sluiten(self) -> None:
        from monitor.models import Restbijdrage, Teller

        self.schrijven()
        delta = self._delta
        for soort, laden in EENHEDEN.items():
            na = laden([pk for s, pk in self._voor if s == soort])
            for pk, bijdrage in na.items():
                delta.update(bijdrage)
                delta.subtract(self._voor[(soort, pk)])
        for q in {q for (q, _maat, _code), n in delta.items() if n}:
            delta[(q, VERSIE, "")] += 1
        bijtellen(Teller, delta)
        bijtellen(Restbijdrage, self.rest)
        self._voor.clear()
        self.rest = Counter()
        self._delta = Counter()


def bijtellen(model: type[Telling], bijdrage: Bijdrage | Iterable[tuple[Any, int]]) -> None:
    """Add the counts to ``model``'s rows (created when missing), in one statement batch."""
    items = bijdrage.items() if isinstance(bijdrage, Counter) else bijdrage
    rows = [(str(q), maat, code or "", n) for (q, maat, code), n in items if n]
    if not rows:
        return
    t = connection.ops.quote_name(model._meta.db_table)  # one of two model tables
    sql = f"INSERT INTO {t} (kwartaal, maat, code, aantal) VALUES (%s, %s, %s, %s) ON CONFLICT"  # noqa: S608  # nosec B608
    sql += f" (kwartaal, maat, code) DO UPDATE SET aantal = {t}.aantal + excluded.aantal"  # nosec B608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
