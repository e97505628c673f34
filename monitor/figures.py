"""The monitor's figures for one quarter, read from the projection only.

``kwartaal_cijfers`` returns every published count of a quarter as ``Tabel``s with
the disclosure control applied (``disclosure``): the page, the CSV, the PDF and
the API all show exactly these cells, whatever filter is chosen (a filter only
picks rows), so no view can be set against another to recover a hidden count.
"""

from __future__ import annotations

import copy
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractMonth
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from casussen import leefgebieden as lg
from monitor import disclosure, projection, restbijdrage
from monitor.models import ActieFeit, Buurt, CasusFeit, Gebeurtenis, MetingFeit, SignaalFeit, Wijk
from monitor.periode import Kwartaal, lokale_datum, tijdzone
from monitor.projection import DIMENSIES

ONBEKEND = projection.BUURT_ONBEKEND
#: Quarters back the open-casussen identity is followed (earlier ones count as visible).
TERUGBLIK = 8


@dataclass
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


def _geteld(rows: Any, kolom: str = "buurt") -> dict[Any, int]:
    """Rows counted per value of ``kolom``."""
    return dict(rows.values_list(kolom).annotate(n=Count("pk")).values_list(kolom, "n"))


def _plus(counts: dict[Any, int], rest: dict[str, int], code: Any = str) -> dict[Any, int]:
    """``counts`` with the counts of destroyed casussen (``restbijdrage``) added."""
    som = dict(counts)
    for key, n in rest.items():
        som[code(key)] = som.get(code(key), 0) + n
    return som


def _casus_counts(q: Kwartaal) -> dict[str, dict[str, int]]:
    start, einde = q.start(), q.einde()
    rows = CasusFeit.objects.filter(geopend_op__isnull=False)
    open_aan_eind = rows.filter(geopend_op__lt=einde).filter(
        Q(gesloten_op__isnull=True) | Q(gesloten_op__gte=einde)
    )
    rest = restbijdrage.van(q)
    return {
        "nieuw": _plus(
            _geteld(rows.filter(geopend_op__gte=start, geopend_op__lt=einde)),
            rest["nieuw"],
        ),
        "gesloten": _plus(
            _geteld(rows.filter(gesloten_op__gte=start, gesloten_op__lt=einde)),
            rest["gesloten"],
        ),
        "open": _plus(_geteld(open_aan_eind), rest["open"]),
    }


def _casus_cells(
    q: Kwartaal, buurten: dict[str, tuple[str, str]]
) -> tuple[dict[str, int], list[disclosure.Equation]]:
    counts = _casus_counts(q)
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
    q: Kwartaal, buurten: dict[str, tuple[str, str]], eerste: Kwartaal | None
) -> tuple[dict[str, int], set[str]]:
    stand = (Gebeurtenis.objects.aggregate(m=Max("id"))["m"], projection.GENERATIE[0])
    key = (q, eerste, disclosure.threshold(), tuple(sorted(buurten.items())), stand)
    if key not in _PATRONEN:
        if len(_PATRONEN) > 64:
            _PATRONEN.clear()
        _PATRONEN[key] = _casus_pattern_berekend(q, buurten, eerste)
    return _PATRONEN[key]


def _casus_pattern_berekend(
    q: Kwartaal, buurten: dict[str, tuple[str, str]], eerste: Kwartaal | None
) -> tuple[dict[str, int], set[str]]:
    """Cells and hidden keys of the casus tables of ``q``, following the quarters before."""
    cells, equations = _casus_cells(q, buurten)
    frozen: dict[str, bool] = {}
    relations: list[disclosure.Relation] = []
    if eerste is not None and q > eerste:
        prev_cells, prev_hidden = _casus_pattern(q.vorige(), buurten, eerste)
        for key, value in prev_cells.items():
            if key.startswith(f"{q.vorige()}:open:"):
                cells[key] = value
                frozen[key] = key in prev_hidden
        relations = _open_relations(q, cells)
    hidden = disclosure.suppress(cells, equations, relations, frozen=frozen)
    return {k: v for k, v in cells.items() if k not in frozen}, hidden - set(frozen)


def _eerste_kwartaal(q: Kwartaal) -> Kwartaal | None:
    first = (
        CasusFeit.objects.filter(geopend_op__isnull=False)
        .order_by("geopend_op")
        .values_list("geopend_op", flat=True)
        .first()
    )
    kandidaten = [Kwartaal.van(lokale_datum(first))] if first is not None else []
    if (rest := restbijdrage.eerste_kwartaal()) is not None:
        kandidaten.append(rest)
    if not kandidaten:
        return None
    eerste = min(kandidaten)
    grens = q
    for _i in range(TERUGBLIK):
        grens = grens.vorige()
    return max(eerste, grens)


def _signaal_cells(
    q: Kwartaal, buurten: dict[str, tuple[str, str]]
) -> tuple[dict[str, int], list[disclosure.Equation], dict[str, int]]:
    start, einde = q.start(), q.einde()
    rows = SignaalFeit.objects.filter(ontvangen_op__gte=start, ontvangen_op__lt=einde)
    rest = restbijdrage.van(q)
    cells, equations = _per_buurt(_plus(_geteld(rows), rest["signalen"]), f"{q}:signalen", buurten)
    totaal = f"{q}:signalen:totaal"
    for dimensie, kolom in (("soort", "organisatie_soort"), ("toestemming", "toestemming")):
        per = _plus(_geteld(rows, kolom), rest[f"signalen:{dimensie}"])
        keys = []
        for code, n in per.items():
            key = f"{q}:signalen:{dimensie}:{code or ONBEKEND}"
            cells[key] = cells.get(key, 0) + n
            keys.append(key)
        equations.append((totaal, sorted(set(keys))))
    per_maand = _plus(
        dict(
            rows.annotate(maand=ExtractMonth("ontvangen_op", tzinfo=tijdzone()))
            .values_list("maand")
            .annotate(n=Count("pk"))
            .values_list("maand", "n")
        ),
        rest["signalen:maand"],
        code=int,
    )
    maanden = []
    for maand in q.maanden:
        cells[f"{q}:signalen:maand:{maand}"] = per_maand.get(maand, 0)
        maanden.append(f"{q}:signalen:maand:{maand}")
    equations.append((totaal, maanden))
    casus = rows.filter(casus_id__isnull=False).count() + rest["signalen:casus"].get("ja", 0)
    cells[f"{q}:signalen:casus:ja"] = casus
    cells[f"{q}:signalen:casus:nee"] = cells[totaal] - casus
    equations.append((totaal, [f"{q}:signalen:casus:ja", f"{q}:signalen:casus:nee"]))
    # Leefgebieden: a signal may have several, so these add up to nothing (no equation).
    leef: Counter[str] = Counter(rest["signalen:leefgebied"])
    for codes in rows.values_list("leefgebieden", flat=True).iterator(chunk_size=5000):
        leef.update(set(codes or []))
    losse = {f"{q}:signalen:leefgebied:{code}": n for code, n in leef.items()}
    return cells, equations, losse


def _acties(q: Kwartaal) -> tuple[dict[str, int], list[disclosure.Equation]]:
    start, einde = q.start(), q.einde()
    rest = restbijdrage.van(q)
    per = _plus(
        _geteld(
            ActieFeit.objects.filter(aangemaakt_op__gte=start, aangemaakt_op__lt=einde), "trede"
        ),
        rest["acties:trede"],
        code=int,
    )
    cells = {f"{q}:acties:trede:{t}": per.get(t, 0) for t in (1, 2, 3, 4)}
    cells[f"{q}:acties:totaal"] = sum(cells.values())
    equations: list[disclosure.Equation] = [
        (f"{q}:acties:totaal", [f"{q}:acties:trede:{t}" for t in (1, 2, 3, 4)])
    ]
    # Casussen with actions so far (active this quarter): only trede 1-2, or also 3-4.
    plannen = (
        ActieFeit.objects.filter(aangemaakt_op__lt=einde)
        .values("casus_id")
        .annotate(hoogste=Max("trede"))
        .filter(
            casus_id__in=CasusFeit.objects.filter(geopend_op__lt=einde)
            .filter(Q(gesloten_op__isnull=True) | Q(gesloten_op__gte=start))
            .values("casus_id")
        )
    )
    licht = plannen.filter(hoogste__lte=2).count() + rest["plannen"].get("licht", 0)
    alle = plannen.count() + sum(rest["plannen"].values())
    cells[f"{q}:plannen:licht"] = licht
    cells[f"{q}:plannen:zwaar"] = alle - licht
    cells[f"{q}:plannen:totaal"] = alle
    equations.append((f"{q}:plannen:totaal", [f"{q}:plannen:licht", f"{q}:plannen:zwaar"]))
    return cells, equations


def _gezondheid(q: Kwartaal) -> tuple[dict[str, int], list[disclosure.Equation], dict[str, float]]:
    """Change per dimension between first and latest meting, for casussen whose latest
    meting is in the quarter and that have at least two."""
    start, einde = q.start().date(), q.einde().date()
    casussen = (
        MetingFeit.objects.values("casus_id")
        .annotate(n=Count("pk"), laatste=Max("datum"))
        .filter(n__gte=2, laatste__gte=start, laatste__lt=einde)
        .values_list("casus_id", flat=True)
    )
    # First and latest scores per casus (plain rows: no model per meting).
    eerste: dict[Any, tuple[int, ...]] = {}
    laatste: dict[Any, tuple[int, ...]] = {}
    for casus_id, *scores in (
        MetingFeit.objects.filter(casus_id__in=casussen)
        .order_by("datum", "vastgelegd_op", "meting_id")
        .values_list("casus_id", *DIMENSIES)
        .iterator(chunk_size=5000)
    ):
        eerste.setdefault(casus_id, tuple(scores))
        laatste[casus_id] = tuple(scores)
    cells: dict[str, int] = {}
    equations: list[disclosure.Equation] = []
    gemiddeld: dict[str, float] = {}
    rest = restbijdrage.van(q)
    for i, dim in enumerate(DIMENSIES):
        verschillen = [laatste[c][i] - eerste[c][i] for c in eerste]
        eerder = rest[f"gezondheid:{dim}"]
        keys = []
        for richting, test in (
            ("beter", lambda d: d > 0),
            ("gelijk", lambda d: d == 0),
            ("slechter", lambda d: d < 0),
        ):
            key = f"{q}:gezondheid:{dim}:{richting}"
            cells[key] = sum(1 for d in verschillen if test(d)) + eerder.get(richting, 0)
            keys.append(key)
        n = sum(cells[key] for key in keys)
        cells[f"{q}:gezondheid:{dim}:n"] = n
        equations.append((f"{q}:gezondheid:{dim}:n", keys))
        if n:
            gemiddeld[dim] = round((sum(verschillen) + eerder.get("verschil", 0)) / n, 1)
    return cells, equations, gemiddeld


def _medianen(q: Kwartaal, k: int) -> tuple[float | None, float | None]:
    start, einde = q.start(), q.einde()
    rows = CasusFeit.objects.filter(eerste_signaal_op__gte=start, eerste_signaal_op__lt=einde)
    aanspreek: list[float] = []
    gesprek: list[float] = []
    for signaal, aanspreekpunt, eerste_gesprek in rows.values_list(
        "eerste_signaal_op", "aanspreekpunt_op", "eerste_gesprek_op"
    ):
        if signaal is None:
            continue
        if aanspreekpunt is not None and aanspreekpunt >= signaal:
            aanspreek.append((aanspreekpunt - signaal).total_seconds() / 86400)
        dag = signaal.astimezone(tijdzone()).date()
        if eerste_gesprek is not None and eerste_gesprek >= dag:
            gesprek.append((eerste_gesprek - dag).days)
    return (
        round(statistics.median(aanspreek), 1) if len(aanspreek) >= k else None,
        round(statistics.median(gesprek), 1) if len(gesprek) >= k else None,
    )


# -- the quarter ---------------------------------------------------------------------


_CIJFERS: dict[tuple[Any, ...], Cijfers] = {}


def kwartaal_cijfers(q: Kwartaal) -> Cijfers:
    """The quarter's published figures; computed once per state of the projection
    (the journal's position), threshold, buurten and language."""
    stand = (Gebeurtenis.objects.aggregate(m=Max("id"))["m"], projection.GENERATIE[0])
    buurten = tuple(Buurt.objects.values_list("code", "naam", "wijk__code", "wijk__naam"))
    key = (q, stand, disclosure.threshold(), buurten, get_language())
    if key not in _CIJFERS:
        if len(_CIJFERS) > 32:
            _CIJFERS.clear()
        _CIJFERS[key] = _kwartaal_cijfers(q)
    return copy.deepcopy(_CIJFERS[key])


def _kwartaal_cijfers(q: Kwartaal) -> Cijfers:
    k = disclosure.threshold()
    buurten, wijken = _buurten()
    casus_cells, casus_hidden = _casus_pattern(q, buurten, _eerste_kwartaal(q))
    cells: dict[str, int] = dict(casus_cells)
    hidden = set(casus_hidden)
    signaal_cells, signaal_eqs, leefgebieden = _signaal_cells(q, buurten)
    actie_cells, actie_eqs = _acties(q)
    pg_cells, pg_eqs, pg_gemiddeld = _gezondheid(q)
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
    mediaan_a, mediaan_g = _medianen(q, k)

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
    tabellen["afsluitreden"] = _afsluitredenen(q, k, waarde(f"{q}:gesloten:totaal"))
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


def _afsluitredenen(q: Kwartaal, k: int, totaal: int | None) -> Tabel:
    from casussen.models import Afsluitreden

    start, einde = q.start(), q.einde()
    per = _plus(
        _geteld(
            CasusFeit.objects.filter(gesloten_op__gte=start, gesloten_op__lt=einde), "afsluitreden"
        ),
        restbijdrage.van(q)["afsluitreden"],
    )
    cells = {f"r:{code or ONBEKEND}": n for code, n in per.items()}
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
