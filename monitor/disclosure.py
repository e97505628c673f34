"""Disclosure control: small counts suppressed, and no suppressed count derivable.

Cells are counts with a key. Relations are linear identities between cells that
anyone can use: a table's total is the sum of its row ("total = members"), a wijk
is the sum of its buurten, a quarter the sum of its months, and the open casussen
at the end of a quarter are those of the quarter before plus the new minus the
closed ones. Primary suppression hides counts from 1 to threshold-1. Secondary
suppression then hides more cells until no hidden cell follows from the
relations and the visible cells (exact linear algebra over the rationals), and
no total leaves a single hidden cell or a hidden remainder below the threshold.
Cells of an earlier, already published period are ``frozen``: their state stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from django.conf import settings

#: ``(total, members)``: total = sum of members.
Equation = tuple[str, Sequence[str]]
#: Signed identity: sum(coefficient * cell) = 0.
Relation = Mapping[str, int]


def threshold() -> int:
    return max(1, int(getattr(settings, "MONITOR_DREMPEL", 5)))


def as_relation(equation: Equation) -> dict[str, int]:
    total, members = equation
    relation = {total: 1}
    for member in members:
        relation[member] = relation.get(member, 0) - 1
    return relation


def determined(hidden: set[str], relations: Sequence[Relation]) -> set[str]:
    """The hidden keys whose value follows from the relations and the visible cells.

    Gauss-Jordan elimination on sparse rows (key → coefficient) over the rationals: a
    hidden cell is determined when a reduced row holds it alone.
    """
    pivots: dict[str, dict[str, Fraction]] = {}  # pivot key → its reduced row
    for relation in relations:
        row: dict[str, Fraction] = {}
        for key, coef in relation.items():
            if key in hidden and coef:
                row[key] = row.get(key, Fraction(0)) + coef
        for key in [k for k in row if k in pivots]:
            factor = row.get(key)
            if not factor:
                continue
            for k2, v2 in pivots[key].items():
                value = row.get(k2, Fraction(0)) - factor * v2
                if value:
                    row[k2] = value
                else:
                    row.pop(k2, None)
        row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        lead = min(row)
        scale = row[lead]
        row = {k: v / scale for k, v in row.items()}
        for other in pivots.values():
            factor = other.get(lead)
            if factor:
                for k2, v2 in row.items():
                    value = other.get(k2, Fraction(0)) - factor * v2
                    if value:
                        other[k2] = value
                    else:
                        other.pop(k2, None)
        pivots[lead] = row
    return {lead for lead, row in pivots.items() if len(row) == 1}


def _weak(
    values: Mapping[str, int], hidden: set[str], equations: Sequence[Equation], k: int
) -> list[Equation]:
    """Totals whose hidden part is one cell, or (derivably) sums to less than k."""
    weak = []
    for total, members in equations:
        verborgen = [key for key in (total, *members) if key in hidden]
        if len(verborgen) == 1 or (
            verborgen
            and total not in hidden
            and 0 < sum(values[m] for m in members if m in hidden) < k
        ):
            weak.append((total, members))
    return weak


def suppress(
    values: Mapping[str, int],
    equations: Sequence[Equation],
    relations: Sequence[Relation] = (),
    *,
    k: int | None = None,
    frozen: Mapping[str, bool] | None = None,
) -> set[str]:
    """The keys to hide. ``frozen``: key → hidden, for cells published before."""
    k = threshold() if k is None else k
    frozen = dict(frozen or {})
    hidden = {key for key, hide in frozen.items() if hide}
    hidden |= {key for key, value in values.items() if key not in frozen and 0 < value < k}
    alle = [*(as_relation(eq) for eq in equations), *relations]
    for _round in range(len(values) + 2):
        weak = _weak(values, hidden, equations, k)
        if not weak:
            leaks = determined(hidden, alle)
            if not leaks:
                return hidden
            weak = [eq for eq in equations if leaks & {eq[0], *eq[1]}]
            weak += [(key, [key]) for key in leaks]  # no table: hide a related cell
        if not _hide_one(values, hidden, frozen, weak, alle):
            break
    # No cell left to choose: hide everything of this period (never publish a leak).
    hidden |= {key for key in values if key not in frozen}
    return hidden


def _hide_one(
    values: Mapping[str, int],
    hidden: set[str],
    frozen: Mapping[str, bool],
    weak: Sequence[Equation],
    relations: Sequence[Relation],
) -> bool:
    for total, members in weak:
        candidates = [m for m in members if m not in hidden and m not in frozen and values[m] > 0]
        if not candidates and total not in hidden and total not in frozen:
            candidates = [total]
        if not candidates:
            # A relation (other periods): any visible cell of a relation with this key.
            related = (
                {key for rel in relations if total in rel for key in rel} - hidden - set(frozen)
            )
            candidates = [key for key in related if values.get(key, 0) > 0] or sorted(related)
        if candidates:
            hidden.add(min(candidates, key=lambda m: (values.get(m, 0), m)))
            return True
    return False
