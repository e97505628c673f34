"""Disclosure control, tested as an attacker would: take everything the page, the CSV and
the API publish for several quarters, write down every identity between the figures
(totals, wijken of buurten, months of a quarter, open = before + new - closed), and try
to compute a suppressed figure. The solver here is independent of ``monitor.disclosure``.
"""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import itertools
import re
import uuid
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from monitor import demo
from monitor.disclosure import suppress
from monitor.figures import Kwartaal, kwartaal_cijfers
from monitor.models import CasusFeit
from monitor.tellers import Batch
from tests.monitor.test_pages import api_client_for

SUM_TABLES = {  # table → the table (same quarter) whose "totaal" its rows add up to
    "soort": "signalen",
    "toestemming": "signalen",
    "maand": "signalen",
    "casus": "signalen",
    "trede": "trede",
    "plannen": "plannen",
    "afsluitreden": "gesloten",
}


def _quarters(n: int = 4) -> list[Kwartaal]:
    q = Kwartaal.van(timezone.localdate())
    reeks = [q]
    for _i in range(n - 1):
        reeks.insert(0, reeks[0].vorige())
    return reeks


def published(beleid, client) -> dict[tuple[str, str, str], int | None]:
    """Every figure of the API, checked to be the same in the CSV and on the page."""
    api = api_client_for(beleid)
    cells: dict[tuple[str, str, str], int | None] = {}
    wijk_of: dict[tuple[str, str, str], str] = {}
    for q in _quarters():
        body = api.get(reverse("api:monitor_kwartaal", kwargs={"kwartaal": str(q)})).json()
        k = body["drempel"]
        for tabel in body["tabellen"]:
            for rij in tabel["rijen"]:
                key = (str(q), tabel["naam"], rij["code"])
                cells[key] = rij["waarde"]
                wijk_of[key] = (rij["niveau"], rij["wijk"])  # type: ignore[assignment]
        text = client.get(reverse("monitor:csv"), {"kwartaal": str(q)}).content.decode()
        for row in list(csv.reader(io.StringIO(text), delimiter=";"))[1:]:
            if row[1] == "kengetal":
                continue
            value = None if row[4] == f"<{k}" else int(row[4])
            assert cells[(row[0], row[1], row[2])] == value, row
        page = html_lib.unescape(
            client.get(reverse("monitor:index"), {"kwartaal": str(q)}).content.decode()
        )
        for label, value in re.findall(
            r'<th scope="row">([^<]+)</th><td>(?:<abbr[^>]*>)?([^<]+)<', page
        ):
            assert value.strip() == f"< {k}" or value.strip().isdigit(), (label, value)
    published.wijk_of = wijk_of  # type: ignore[attr-defined]
    return cells


def relations(
    cells: dict[tuple[str, str, str], int | None], wijk_of
) -> list[dict[tuple[str, str, str], int]]:
    rels: list[dict] = []
    quarters = sorted({q for q, _t, _c in cells})
    for q in quarters:
        for tabel in ("signalen", "nieuw", "gesloten", "open"):
            rows = [(key, wijk_of[key]) for key in cells if key[0] == q and key[1] == tabel]
            wijken = [key for key, (niveau, _w) in rows if niveau == "wijk"]
            for wijk in wijken:
                buurten = [key for key, (niveau, w) in rows if niveau == "buurt" and w == wijk[2]]
                if buurten:
                    rels.append({wijk: 1, **{b: -1 for b in buurten}})
            rels.append({(q, tabel, "totaal"): 1, **{w: -1 for w in wijken}})
        for tabel, totaal in SUM_TABLES.items():
            members = [
                key for key in cells if key[0] == q and key[1] == tabel and key[2] != "totaal"
            ]
            rels.append({(q, totaal, "totaal"): 1, **{m: -1 for m in members}})
        for key in cells:
            if key[0] == q and key[1].startswith("gezondheid:") and key[2] == "totaal":
                members = [m for m in cells if m[0] == q and m[1] == key[1] and m[2] != "totaal"]
                rels.append({key: 1, **{m: -1 for m in members}})
    for vorige, q in itertools.pairwise(quarters):
        for key in [k for k in cells if k[0] == q and k[1] == "open"]:
            before, new, closed = (
                (vorige, "open", key[2]),
                (q, "nieuw", key[2]),
                (q, "gesloten", key[2]),
            )
            if before in cells and new in cells and closed in cells:
                rels.append({key: 1, before: -1, new: -1, closed: 1})
    return rels


def derivable(cells, rels) -> set:
    """Suppressed cells that the relations pin down (Gauss-Jordan on the unknowns)."""
    unknown = sorted(k for k, v in cells.items() if v is None)
    col = {k: i for i, k in enumerate(unknown)}
    matrix = []
    for rel in rels:
        row = [Fraction(0)] * len(unknown)
        for key, coef in rel.items():
            if key in col:
                row[col[key]] += coef
        if any(row):
            matrix.append(row)
    rank_row = 0
    pivots = []
    for c in range(len(unknown)):
        pivot = next((r for r in range(rank_row, len(matrix)) if matrix[r][c]), None)
        if pivot is None:
            continue
        matrix[rank_row], matrix[pivot] = matrix[pivot], matrix[rank_row]
        lead = matrix[rank_row][c]
        matrix[rank_row] = [v / lead for v in matrix[rank_row]]
        for r in range(len(matrix)):
            if r != rank_row and matrix[r][c]:
                f = matrix[r][c]
                matrix[r] = [a - f * b for a, b in zip(matrix[r], matrix[rank_row], strict=True)]
        pivots.append(c)
        rank_row += 1
    return {unknown[c] for r, c in enumerate(pivots) if sum(1 for v in matrix[r] if v) == 1}


def pinned_by_minimum(cells, rels) -> set:
    """Suppressed cells forced to 1 because a known sum leaves each of them exactly 1
    (zeros are published, so a hidden count is at least 1)."""
    found = set()
    for rel in rels:
        hidden = [k for k in rel if cells.get(k, 0) is None]
        if not hidden or any(rel[k] * rel[hidden[0]] < 0 for k in hidden):
            continue
        known = -sum(coef * cells[k] for k, coef in rel.items() if cells.get(k) is not None)
        if known * rel[hidden[0]] == len(hidden):
            found.update(hidden)
    return found


@pytest.fixture
def gemeente_met_geschiedenis(db):
    demo.load()


def test_no_suppressed_figure_can_be_derived_from_everything_published(
    gemeente_met_geschiedenis, login, beleid
):
    cells = published(beleid, login(beleid))
    assert sum(1 for v in cells.values() if v is None) > 10, "the demo must have small numbers"
    rels = relations(cells, published.wijk_of)  # type: ignore[attr-defined]
    assert not derivable(cells, rels)
    assert not pinned_by_minimum(cells, rels)


def test_the_attack_finds_a_leak_when_only_small_cells_are_hidden():
    """The attacker's solver works: per-cell suppression alone leaks through the total."""
    cells = {("q", "t", "a"): None, ("q", "t", "b"): 7, ("q", "t", "totaal"): 10}
    rels = [{("q", "t", "totaal"): 1, ("q", "t", "a"): -1, ("q", "t", "b"): -1}]
    assert derivable(cells, rels) == {("q", "t", "a")}


def test_secondary_suppression_hides_one_neighbour_in_the_wijk_and_no_total():
    values = {"b1": 3, "b2": 8, "b3": 9, "w1": 20, "b4": 12, "w2": 12, "tot": 32}
    equations = [("w1", ["b1", "b2", "b3"]), ("w2", ["b4"]), ("tot", ["w1", "w2"])]
    assert suppress(values, equations, k=5) == {"b1", "b2"}


def test_one_small_cell_of_a_cross_table_hides_a_rectangle_of_four():
    """Rows and columns with totals: the small cell, one cell in its row, one in its
    column and the one where those cross; every total stays published."""
    rows = {"r1": [20, 3, 12], "r2": [9, 14, 8], "r3": [11, 10, 30]}
    values: dict[str, int] = {}
    equations = []
    for r, counts in rows.items():
        values |= {f"{r}c{c}": n for c, n in enumerate(counts)}
        values[f"{r}T"] = sum(counts)
        equations.append((f"{r}T", [f"{r}c{c}" for c in range(3)]))
    for c in range(3):
        values[f"Tc{c}"] = sum(counts[c] for counts in rows.values())
        equations.append((f"Tc{c}", [f"{r}c{c}" for r in rows]))
    values["TT"] = sum(values[f"Tc{c}"] for c in range(3))
    equations += [("TT", [f"Tc{c}" for c in range(3)]), ("TT", [f"{r}T" for r in rows])]

    hidden = suppress(values, equations, k=5)

    assert len(hidden) == 4
    assert "r1c1" in hidden
    assert len({key[:2] for key in hidden}) == 2 and len({key[2:] for key in hidden}) == 2
    assert not any("T" in key for key in hidden)


def _casus_tabellen(nieuw, gesloten, open_voor):
    """nieuw, gesloten and open per buurt of one wijk, open before frozen as published."""
    values: dict[str, int] = {}
    equations = []
    relations = []
    frozen = {}
    for x in nieuw:
        values |= {f"nieuw:{x}": nieuw[x], f"gesloten:{x}": gesloten[x]}
        values[f"voor:{x}"] = open_voor[x]
        values[f"open:{x}"] = open_voor[x] + nieuw[x] - gesloten[x]
    for soort in ("nieuw", "gesloten", "open", "voor"):
        values[f"{soort}:w"] = sum(values[f"{soort}:{x}"] for x in nieuw)
        equations.append((f"{soort}:w", [f"{soort}:{x}" for x in nieuw]))
    for x in [*nieuw, "w"]:
        frozen[f"voor:{x}"] = False
        relations.append({f"open:{x}": 1, f"voor:{x}": -1, f"nieuw:{x}": -1, f"gesloten:{x}": 1})
    return values, equations, relations, frozen


def test_one_small_new_count_hides_two_buurten_in_new_and_closed_only():
    """open = open before + new - closed: the new count's partner in its wijk needs a
    partner in another table, and the two buurten's closed counts close the loop."""
    values, equations, relations, frozen = _casus_tabellen(
        nieuw={"b1": 3, "b2": 8, "b3": 9},
        gesloten={"b1": 6, "b2": 7, "b3": 10},
        open_voor={"b1": 20, "b2": 25, "b3": 30},
    )
    hidden = suppress(values, equations, relations, k=5, frozen=frozen)
    assert hidden == {"nieuw:b1", "nieuw:b2", "gesloten:b1", "gesloten:b2"}


def _casussen(buurt: str, aantal: int, geopend: dt.datetime, gesloten=None) -> None:
    batch = Batch()
    for _i in range(aantal):
        casus_id = uuid.uuid4()
        batch.raak("casus", casus_id)
        CasusFeit.objects.create(
            casus_id=casus_id, geopend_op=geopend, gesloten_op=gesloten, buurt=buurt
        )
    batch.sluiten()


def test_published_casus_tables_hide_one_rectangle_for_one_small_buurt(db):
    """Through the monitor's figures: one buurt with 3 new casussen in a quarter costs
    4 cells of the three casus tables, not rows, wijken or totals."""
    tz = ZoneInfo(settings.TIME_ZONE)
    januari, mei, juni = (dt.datetime(2025, m, 10, tzinfo=tz) for m in (1, 5, 6))
    nieuw = {"BU02730000": 3, "BU02730001": 8, "BU02730002": 9, "BU02730100": 7}
    gesloten = {"BU02730000": 6, "BU02730001": 7, "BU02730002": 8, "BU02730100": 6}
    for buurt in nieuw:
        _casussen(buurt, 10 - gesloten[buurt], januari)
        _casussen(buurt, gesloten[buurt], januari, gesloten=juni)
        _casussen(buurt, nieuw[buurt], mei)

    cijfers = kwartaal_cijfers(Kwartaal(2025, 2))

    hidden = {
        (naam, rij.code)
        for naam in ("nieuw", "gesloten", "open")
        for rij in cijfers.tabellen[naam].rijen
        if rij.waarde is None
    }
    assert hidden == {
        ("nieuw", "BU02730000"),
        ("nieuw", "BU02730001"),
        ("gesloten", "BU02730000"),
        ("gesloten", "BU02730001"),
    }
    assert kwartaal_cijfers(Kwartaal(2025, 1)).tabellen["nieuw"].rijen[-1].waarde == 40
