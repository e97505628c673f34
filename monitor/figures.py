"""The monitor's figures for one quarter, read from the projection's counters only.

``kwartaal_cijfers`` returns every published count of a quarter as ``Tabel``s with
the disclosure control applied (``disclosure``): the page, the CSV, the PDF and
the API all show exactly these cells, whatever filter is chosen (a filter only
picks rows), so no view can be set against another to recover a hidden count.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from casussen import leefgebieden as lg
from monitor import disclosure, projection, tellers
from monitor.models import Buurt, Teller, Wijk
from monitor.periode import Kwartaal
from monitor.projection import DIMENSIES

ONBEKEND = projection.BUURT_ONBEKEND
#: Quarters back the open-casussen identity is followed (earlier ones count as visible).
TERUGBLIK = 8


@dataclass(frozen=True)
class Rij:
    code: str
    label: str
    waarde: int | None  # None: suppressed
    wijk: str = ""  # the wijk code of a buurt row (filters)
    niveau: str = ""  # "buurt", "wijk", "totaal"


@dataclass
class Tabel:
    naam: str
    titel: str
    rijen: list[Rij] = field(default_factory=list)


@dataclass
class Cijfers:
    kwartaal: Kwartaal
    tabellen: dict[str, Tabel]
    #: Medians in days (None: fewer than the threshold casussen).
    mediaan_aanspreekpunt: float | None
    mediaan_gesprek: float | None
    #: Positieve Gezondheid: dimension → (mean change or None, Tabel of the distribution).
    gezondheid: dict[str, float | None]
    drempel: int


# -- reference data ----------------------------------------------------------------


def _buurten() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """buurt code → (naam, wijk code); wijk code → naam."""
    buurten = {b.code: (b.naam, b.wijk.code) for b in Buurt.objects.select_related("wijk")}
    wijken = {w.code: w.naam for w in Wijk.objects.all()}
    return buurten, wijken


# -- raw counts ---------------------------------------------------------------------


def _per_buurt(
    counts: dict[str, int], prefix: str, buurten: dict[str, tuple[str, str]]
) -> tuple[dict[str, int], list[disclosure.Equation]]:
    """Cells per buurt, wijk and total, with the equations that bind them."""
    cells: dict[str, int] = {}
    per_wijk: dict[str, list[str]] = defaultdict(list)
    for code, (_naam, wijk) in buurten.items():
        cells[f"{prefix}:b:{code}"] = counts.get(code, 0)
        per_wijk[wijk].append(f"{prefix}:b:{code}")
    onbekend = sum(v for code, v in counts.items() if code not in buurten)
    cells[f"{prefix}:b:{ONBEKEND}"] = onbekend
    per_wijk[ONBEKEND].append(f"{prefix}:b:{ONBEKEND}")
    equations: list[disclosure.Equation] = []
    for wijk, members in per_wijk.items():
        cells[f"{prefix}:w:{wijk}"] = sum(cells[m] for m in members)
        equations.append((f"{prefix}:w:{wijk}", members))
    cells[f"{prefix}:totaal"] = sum(cells[f"{prefix}:w:{w}"] for w in per_wijk)
    equations.append((f"{prefix}:totaal", [f"{prefix}:w:{w}" for w in per_wijk]))
    return cells, equations


Tellingen = dict[str, dict[str, int]]


class Stand:
    """The counters of a quarter and every quarter before, read in one query (the medians'
    histograms of that quarter only), with the journal position they belong to."""

    def __init__(self, q: Kwartaal, sleutel: tuple[Any, ...]) -> None:
        self.sleutel = sleutel
        self._per: dict[str, Tellingen] = defaultdict(lambda: defaultdict(dict))
        rows = Teller.objects.filter(kwartaal__lte=str(q)).exclude(
            ~Q(kwartaal=str(q)), maat__startswith="mediaan:"
        )
        for kwartaal, maat, code, n in rows.values_list("kwartaal", "maat", "code", "aantal"):
            self._per[kwartaal][maat][code] = n

    def kwartaal(self, q: Kwartaal) -> Tellingen:
        """The quarter's counters: measure → code → count."""
        return self._per[str(q)] if str(q) in self._per else defaultdict(dict)

    def tot_en_met(self, q: Kwartaal, maat: str) -> dict[str, int]:
        """A running measure: its counters in ``q`` and every quarter before, summed."""
        som: dict[str, int] = defaultdict(int)
        for kwartaal, per in self._per.items():
            if kwartaal <= str(q):
                for code, n in per.get(maat, {}).items():
                    som[code] += n
        return som

    def eerste(self, maat: str) -> Kwartaal | None:
        """The first quarter with a count of ``maat``."""
        met = [k for k, per in self._per.items() if any(per.get(maat, {}).values())]
        return Kwartaal.parse(min(met)) if met else None


def _casus_counts(q: Kwartaal, stand: Stand) -> dict[str, dict[str, int]]:
    t = stand.kwartaal(q)
    nieuw, gesloten = stand.tot_en_met(q, "nieuw"), stand.tot_en_met(q, "gesloten")
    return {
        "nieuw": t["nieuw"],
        "gesloten": t["gesloten"],
        "open": {c: nieuw.get(c, 0) - gesloten.get(c, 0) for c in set(nieuw) | set(gesloten)},
    }


def _casus_cells(
    q: Kwartaal, buurten: dict[str, tuple[str, str]], stand: Stand
) -> tuple[dict[str, int], list[disclosure.Equation]]:
    counts = _casus_counts(q, stand)
    cells: dict[str, int] = {}
    equations: list[disclosure.Equation] = []
    for soort, per in counts.items():
        c, e = _per_buurt(per, f"{q}:{soort}", buurten)
        cells.update(c)
        equations.extend(e)
    return cells, equations


def _open_relations(q: Kwartaal, cells: dict[str, int]) -> list[disclosure.Relation]:
    """open(q) = open(q-1) + nieuw(q) - gesloten(q), per buurt, wijk and in total (as far as
    no casus was reopened: a sound attacker may assume it)."""
    vorige = q.vorige()
    relations: list[disclosure.Relation] = []
    for key in cells:
        if key.startswith(f"{q}:open:"):
            rest = key[len(f"{q}:open:") :]
            relations.append(
                {
                    key: 1,
                    f"{vorige}:open:{rest}": -1,
                    f"{q}:nieuw:{rest}": -1,
                    f"{q}:gesloten:{rest}": 1,
                }
            )
    return relations


#: (quarter, first quarter, threshold, buurten, journal position) → (cells, hidden): the
#: quarters before are computed once per state of the projection, not once per view.
_PATRONEN: dict[tuple[Any, ...], tuple[dict[str, int], set[str]]] = {}


def _casus_pattern(
    q: Kwartaal, buurten: dict[str, tuple[str, str]], eerste: Kwartaal | None, stand: Stand
) -> tuple[dict[str, int], set[str]]:
    key = (q, eerste, disclosure.threshold(), tuple(sorted(buurten.items())), stand.sleutel)
    if key not in _PATRONEN:
        if len(_PATRONEN) > 64:
            _PATRONEN.clear()
        _PATRONEN[key] = _casus_pattern_berekend(q, buurten, eerste, stand)
    return _PATRONEN[key]


def _casus_pattern_berekend(
    q: Kwartaal, buurten: dict[str, tuple[str, str]], eerste: Kwartaal | None, stand: Stand
) -> tuple[dict[str, int], set[str]]:
    """Cells and hidden keys of the casus tables of ``q``, following the quarters before."""
    cells, equations = _casus_cells(q, buurten, stand)
    frozen: dict[str, bool] = {}
    relations: list[disclosure.Relation] = []
    if eerste is not None and q > eerste:
        prev_cells, prev_hidden = _casus_pattern(q.vorige(), buurten, eerste, stand)
        for key, value in prev_cells.items():
            if key.startswith(f"{q.vorige()}:open:"):
                cells[key] = value
                frozen[key] = key in prev_hidden
        relations = _open_relations(q, cells)
    hidden = disclosure.suppress(cells, equations, relations, frozen=frozen)
    return {k: v for k, v in cells.items() if k not in frozen}, hidden - set(frozen)


def _eerste_kwartaal(q: Kwartaal, stand: Stand) -> Kwartaal | None:
    first = stand.eerste("nieuw")
    if first is None:
        return None
    grens = q
    for _i in range(TERUGBLIK):
        grens = grens.vorige()
    return max(first, grens)


def _signaal_cells(
    q: Kwartaal, t: Tellingen, buurten: dict[str, tuple[str, str]]
) -> tuple[dict[str, int], list[disclosure.Equation], dict[str, int]]:
    cells, equations = _per_buurt(t["signalen"], f"{q}:signalen", buurten)
    totaal = f"{q}:signalen:totaal"
    for dimensie in ("soort", "toestemming"):
        keys = []
        for code, n in t[f"signalen:{dimensie}"].items():
            key = f"{q}:signalen:{dimensie}:{code or ONBEKEND}"
            cells[key] = cells.get(key, 0) + n
            keys.append(key)
        equations.append((totaal, sorted(set(keys))))
    maanden = []
    for maand in q.maanden:
        cells[f"{q}:signalen:maand:{maand}"] = t["signalen:maand"].get(str(maand), 0)
        maanden.append(f"{q}:signalen:maand:{maand}")
    equations.append((totaal, maanden))
    casus = t["signalen:casus"].get("ja", 0)
    cells[f"{q}:signalen:casus:ja"] = casus
    cells[f"{q}:signalen:casus:nee"] = cells[totaal] - casus
    equations.append((totaal, [f"{q}:signalen:casus:ja", f"{q}:signalen:casus:nee"]))
    # Leefgebieden: a signal may have several, so these add up to nothing (no equation).
    losse = {f"{q}:signalen:leefgebied:{code}": n for code, n in t["signalen:leefgebied"].items()}
    return cells, equations, losse


def _acties(q: Kwartaal, stand: Stand) -> tuple[dict[str, int], list[disclosure.Equation]]:
    per = stand.kwartaal(q)["acties:trede"]
    cells = {f"{q}:acties:trede:{n}": per.get(str(n), 0) for n in (1, 2, 3, 4)}
    cells[f"{q}:acties:totaal"] = sum(cells.values())
    equations: list[disclosure.Equation] = [
        (f"{q}:acties:totaal", [f"{q}:acties:trede:{n}" for n in (1, 2, 3, 4)])
    ]
    # Casussen with actions so far (active this quarter): only trede 1-2, or also 3-4.
    plannen = stand.tot_en_met(q, "plannen")
    cells[f"{q}:plannen:licht"] = plannen.get("licht", 0)
    cells[f"{q}:plannen:zwaar"] = plannen.get("zwaar", 0)
    cells[f"{q}:plannen:totaal"] = cells[f"{q}:plannen:licht"] + cells[f"{q}:plannen:zwaar"]
    equations.append((f"{q}:plannen:totaal", [f"{q}:plannen:licht", f"{q}:plannen:zwaar"]))
    return cells, equations


def _gezondheid(
    q: Kwartaal, t: Tellingen
) -> tuple[dict[str, int], list[disclosure.Equation], dict[str, float]]:
    """Change per dimension between first and latest meting, for casussen whose latest
    meting is in the quarter and that have at least two."""
    cells: dict[str, int] = {}
    equations: list[disclosure.Equation] = []
    gemiddeld: dict[str, float] = {}
    for dim in DIMENSIES:
        per = t[f"gezondheid:{dim}"]
        keys = []
        for richting in tellers.RICHTINGEN:
            key = f"{q}:gezondheid:{dim}:{richting}"
            cells[key] = per.get(richting, 0)
            keys.append(key)
        n = sum(cells[key] for key in keys)
        cells[f"{q}:gezondheid:{dim}:n"] = n
        equations.append((f"{q}:gezondheid:{dim}:n", keys))
        if n:
            gemiddeld[dim] = round(per.get("verschil", 0) / n, 1)
    return cells, equations, gemiddeld


def _medianen(t: Tellingen, k: int) -> tuple[float | None, float | None]:
    """Medians in days of the casussen whose first signal came in the quarter (the
    time to an aanspreekpunt counted in tenths of a day), when at least ``k`` have one."""
    aanspreek, gesprek = t["mediaan:aanspreekpunt"], t["mediaan:gesprek"]
    a = tellers.mediaan(aanspreek) if sum(aanspreek.values()) >= k else None
    g = tellers.mediaan(gesprek) if sum(gesprek.values()) >= k else None
    return (
        None if a is None else round(a / 10, 1),
        None if g is None else round(g, 1),
    )


# -- the quarter ---------------------------------------------------------------------


_CIJFERS: dict[tuple[Any, ...], Cijfers] = {}


def kwartaal_cijfers(q: Kwartaal) -> Cijfers:
    """The quarter's published figures; computed once per state of its counters and those
    of the quarters before (``tellers.VERSIE``: new signals of this quarter leave an
    earlier quarter's figures cached), threshold, buurten and language."""
    versie = Teller.objects.filter(maat=tellers.VERSIE, kwartaal__lte=str(q)).aggregate(
        n=Sum("aantal")
    )["n"]
    stand = (versie, projection.GENERATIE[0])
    buurten = tuple(Buurt.objects.values_list("code", "naam", "wijk__code", "wijk__naam"))
    key = (q, stand, disclosure.threshold(), buurten, get_language())
    if key not in _CIJFERS:
        if len(_CIJFERS) > 32:
            _CIJFERS.clear()
        _CIJFERS[key] = _kwartaal_cijfers(q, Stand(q, stand))
    return _kopie(_CIJFERS[key])


def _kopie(cijfers: Cijfers) -> Cijfers:
    """A copy the caller may change (its rows are immutable, so shared)."""
    return dataclasses.replace(
        cijfers,
        tabellen={n: Tabel(t.naam, t.titel, list(t.rijen)) for n, t in cijfers.tabellen.items()},
        gezondheid=dict(cijfers.gezondheid),
    )


def _kwartaal_cijfers(q: Kwartaal, stand: Stand) -> Cijfers:
    k = disclosure.threshold()
    buurten, wijken = _buurten()
    casus_cells, casus_hidden = _casus_pattern(q, buurten, _eerste_kwartaal(q, stand), stand)
    cells: dict[str, int] = dict(casus_cells)
    hidden = set(casus_hidden)
    t = stand.kwartaal(q)
    signaal_cells, signaal_eqs, leefgebieden = _signaal_cells(q, t, buurten)
    actie_cells, actie_eqs = _acties(q, stand)
    pg_cells, pg_eqs, pg_gemiddeld = _gezondheid(q, t)
    for part_cells, equations in (
        (signaal_cells, signaal_eqs),
        (actie_cells, actie_eqs),
        (pg_cells, pg_eqs),
    ):
        hidden |= disclosure.suppress(part_cells, equations)
        cells.update(part_cells)
    for key, value in leefgebieden.items():  # no equation binds them: primary only
        cells[key] = value
        if 0 < value < k:
            hidden.add(key)
    gemiddeld: dict[str, float | None] = {
        dim: None
        if f"{q}:gezondheid:{dim}:n" in hidden or cells[f"{q}:gezondheid:{dim}:n"] < k
        else pg_gemiddeld.get(dim)
        for dim in DIMENSIES
    }
    mediaan_a, mediaan_g = _medianen(t, k)

    def waarde(key: str) -> int | None:
        return None if key in hidden else cells.get(key, 0)

    tabellen: dict[str, Tabel] = {}
    for naam, titel in (
        ("signalen", _("Signalen per buurt")),
        ("nieuw", _("Nieuwe casussen per buurt")),
        ("gesloten", _("Afgesloten casussen per buurt")),
        ("open", _("Open casussen aan het eind van het kwartaal per buurt")),
    ):
        tabellen[naam] = _buurt_tabel(naam, titel, q, buurten, wijken, waarde)
    tabellen["soort"] = _simple(
        q,
        "signalen:soort",
        _("Signalen per soort partnerorganisatie"),
        _soort_label,
        waarde,
        cells,
        f"{q}:signalen:totaal",
    )
    tabellen["toestemming"] = _simple(
        q,
        "signalen:toestemming",
        _("Signalen per toestemming"),
        _toestemming_label,
        waarde,
        cells,
        f"{q}:signalen:totaal",
    )
    tabellen["maand"] = _simple(
        q,
        "signalen:maand",
        _("Signalen per maand"),
        _maand_label,
        waarde,
        cells,
        f"{q}:signalen:totaal",
    )
    tabellen["casus"] = _simple(
        q,
        "signalen:casus",
        _("Signalen die tot een casus leidden"),
        lambda c: _("Ja") if c == "ja" else _("Nee"),
        waarde,
        cells,
        f"{q}:signalen:totaal",
    )
    tabellen["leefgebied"] = _simple(
        q,
        "signalen:leefgebied",
        _("Signalen per leefgebied (een signaal kan meer leefgebieden hebben)"),
        lg.label,
        waarde,
        cells,
        None,
    )
    tabellen["trede"] = _simple(
        q,
        "acties:trede",
        _("Acties per trede van de ondersteuningspiramide"),
        _trede_label,
        waarde,
        cells,
        f"{q}:acties:totaal",
    )
    tabellen["plannen"] = _simple(
        q,
        "plannen",
        _("Casussen met acties: alleen trede 1-2 of ook zwaarder"),
        lambda c: {"licht": _("Alleen trede 1-2"), "zwaar": _("Ook trede 3-4")}.get(c, c),
        waarde,
        cells,
        f"{q}:plannen:totaal",
        exclude={"totaal"},
    )
    tabellen["afsluitreden"] = _afsluitredenen(t, waarde(f"{q}:gesloten:totaal"))
    for dim in DIMENSIES:
        tabellen[f"gezondheid:{dim}"] = _simple(
            q,
            f"gezondheid:{dim}",
            _dim_label(dim),
            lambda c: {
                "beter": _("Verbeterd"),
                "gelijk": _("Gelijk"),
                "slechter": _("Verslechterd"),
            }.get(c, c),
            waarde,
            cells,
            f"{q}:gezondheid:{dim}:n",
            exclude={"n"},
        )
    for naam, tabel in tabellen.items():
        tabel.naam = naam  # one name for the table in page, CSV, PDF and API
    return Cijfers(q, tabellen, mediaan_a, mediaan_g, gemiddeld, k)


def _afsluitredenen(t: Tellingen, totaal: int | None) -> Tabel:
    from casussen.models import Afsluitreden

    per = t["afsluitreden"]
    cells: dict[str, int] = {}
    for code, n in per.items():
        cells[f"r:{code or ONBEKEND}"] = cells.get(f"r:{code or ONBEKEND}", 0) + n
    cells["r:totaal"] = sum(per.values())
    # Its total is the closed total of the buurt table: frozen as published there.
    hidden = disclosure.suppress(
        cells,
        [("r:totaal", [c for c in cells if c != "r:totaal"])],
        frozen={"r:totaal": totaal is None},
    )
    labels = dict(Afsluitreden.choices)
    tabel = Tabel("afsluitreden", _("Afgesloten casussen per reden"))
    for key in sorted(cells):
        if key == "r:totaal":
            continue
        code = key[2:]
        tabel.rijen.append(
            Rij(code, str(labels.get(code, _("Onbekend"))), None if key in hidden else cells[key])
        )
    # The total is the closed total of the buurt table, suppressed as it is there.
    tabel.rijen.append(Rij("totaal", _("Totaal"), totaal, niveau="totaal"))
    return tabel


def _buurt_tabel(
    naam: str,
    titel: str,
    q: Kwartaal,
    buurten: dict[str, tuple[str, str]],
    wijken: dict[str, str],
    waarde: Any,
) -> Tabel:
    tabel = Tabel(naam, titel)
    prefix = f"{q}:{naam}"
    per_wijk: dict[str, list[str]] = defaultdict(list)
    for code, (_n, wijk) in sorted(buurten.items()):
        per_wijk[wijk].append(code)
    for wijk in sorted(per_wijk):
        tabel.rijen.append(
            Rij(
                wijk,
                _("Wijk %(naam)s") % {"naam": wijken.get(wijk, wijk)},
                waarde(f"{prefix}:w:{wijk}"),
                wijk=wijk,
                niveau="wijk",
            )
        )
        for code in per_wijk[wijk]:
            tabel.rijen.append(
                Rij(code, buurten[code][0], waarde(f"{prefix}:b:{code}"), wijk=wijk, niveau="buurt")
            )
    tabel.rijen.append(
        Rij(
            ONBEKEND,
            _("Buurt onbekend"),
            waarde(f"{prefix}:b:{ONBEKEND}"),
            wijk=ONBEKEND,
            niveau="wijk",
        )
    )
    tabel.rijen.append(Rij("totaal", _("Totaal"), waarde(f"{prefix}:totaal"), niveau="totaal"))
    return tabel


def _simple(
    q: Kwartaal,
    stem: str,
    titel: str,
    label: Any,
    waarde: Any,
    cells: dict[str, int],
    totaal: str | None,
    exclude: set[str] | None = None,
) -> Tabel:
    tabel = Tabel(stem.replace(":", "-"), titel)
    prefix = f"{q}:{stem}:"
    for key in sorted(k for k in cells if k.startswith(prefix)):
        code = key[len(prefix) :]
        if exclude and code in exclude:
            continue
        tabel.rijen.append(Rij(code, str(label(code)), waarde(key)))
    if totaal is not None:
        tabel.rijen.append(Rij("totaal", _("Totaal"), waarde(totaal), niveau="totaal"))
    return tabel


def _soort_label(code: str) -> str:
    from toegang.models import Organisatie

    return str(dict(Organisatie.Soort.choices).get(code, _("Onbekend")))


def _toestemming_label(code: str) -> str:
    from signalen.models import Toestemming

    return str(dict(Toestemming.choices).get(code, _("Onbekend")))


MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def _maand_label(code: str) -> str:
    return _(MAANDEN[int(code) - 1])


def _trede_label(code: str) -> str:
    from casussen.plan.constants import Trede

    return str(dict(Trede.choices).get(int(code), code))


def _dim_label(dim: str) -> str:
    from casussen.plan.constants import Dimensie

    return _("Positieve Gezondheid, verandering: %(d)s") % {"d": dict(Dimensie.choices)[dim]}
