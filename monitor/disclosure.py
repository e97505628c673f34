"""Disclosure control: small counts suppressed, and no suppressed count derivable.

Cells are counts with a key. Lines are linear identities between cells that anyone
can use: a table's total is the sum of its rows (``Equation``: "total = members"), a
wijk is the sum of its buurten, a quarter the sum of its months, and the open
casussen at the end of a quarter are those of the quarter before plus the new minus
the closed ones (a signed ``Relation``).

Primary suppression hides counts from 1 to threshold-1 (zeros are published, so a
hidden count is known to be at least 1). Complementary suppression then hides as
few cells as it can, one at a time, until

- no line has exactly one hidden cell (it would be its published remainder);
- no line whose hidden cells all count the same way (all in the total, or all in
  the members) lets them add up to less than the threshold (the group would be
  known to be small, and with as many hidden cells as the sum each would be 1);
- no hidden cell follows from all lines together (exact elimination over the
  rationals: two lines can pin down what neither does alone).

The cell to hide is the one that mends the most unsafe lines while opening the
fewest new ones, and among those the smallest count: a small buurt next to the
first one rather than a wijk or a total. Cells of an earlier, already published
period are ``frozen``: they keep their state, and a hidden one counts as unknown.
"""

from __future__ import annotations

from collections import defaultdict
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


def unsafe(line: Relation, hidden: set[str], values: Mapping[str, int], k: int) -> bool:
    """One hidden cell in the line, or hidden cells on one side that add up below ``k``."""
    verborgen = [key for key in line if key in hidden]
    if len(verborgen) == 1:
        return True
    if verborgen and len({line[key] > 0 for key in verborgen}) == 1:
        return sum(abs(line[key]) * values.get(key, 0) for key in verborgen) < k
    return False


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
    lines: list[dict[str, int]] = []
    for relation in (*(as_relation(eq) for eq in equations), *relations):
        line = {key: coef for key, coef in relation.items() if coef}
        if len(line) > 1:
            lines.append(line)
    lines_of: dict[str, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        for key in line:
            lines_of[key].append(i)
    for _round in range(len(values) + 1):
        weak = {i for i, line in enumerate(lines) if unsafe(line, hidden, values, k)}
        if not weak:
            leaks = determined(hidden, lines)
            if not leaks:
                return hidden
            weak = {i for key in leaks for i in lines_of[key]}
        cell = _complement(values, hidden, frozen, lines, lines_of, weak)
        if cell is None:
            break
        hidden.add(cell)
    # No cell left to choose: hide everything of this period (never publish a leak).
    return hidden | {key for key in values if key not in frozen}


def _complement(
    values: Mapping[str, int],
    hidden: set[str],
    frozen: Mapping[str, bool],
    lines: Sequence[Relation],
    lines_of: Mapping[str, list[int]],
    weak: set[int],
) -> str | None:
    """The visible cell to hide next for the unsafe lines (indexes ``weak``), or None."""
    open_cells = {key for i in weak for key in lines[i] if key not in hidden and key not in frozen}
    # A hidden zero protects nothing when zeros are known to be published: last resort.
    candidates = {key for key in open_cells if values.get(key, 0) > 0} or open_cells
    if not candidates:
        return None

    def cost(key: str) -> tuple[int, int, str]:
        mends = sum(1 for i in lines_of[key] if i in weak)
        opens = sum(1 for i in lines_of[key] if hidden.isdisjoint(lines[i]))
        return (opens - mends, values.get(key, 0), key)

    return min(candidates, key=cost)
