"""What changed between two versions of a plan: a diff of two snapshots.

A snapshot is the plan's content as plain JSON data (see
``casussen.plan.services.versies.plan_snapshot``)::

    {"startdatum": "2026-01-12",
     "doelen": [{"id": ..., "tekst": ..., "dimensies": [...], "leefgebieden": [...],
                 "gezinsleden": [...], "uitkomst": ...,
                 "acties": [{"id": ..., "omschrijving": ..., "eigenaar_soort": ...,
                             "eigenaar_id": ..., "eigenaar_omschrijving": ...,
                             "deadline": ..., "trede": ..., "status": ...,
                             "reden_zwaar": ...}]}]}

Goals and actions are matched by id, so a changed text is a change, not a
removal plus an addition. The diff holds raw values; ``Weergave`` turns them
into Dutch display text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _l

from toegang.datums import datum

DOEL_VELDEN = ("tekst", "dimensies", "leefgebieden", "gezinsleden", "uitkomst")
ACTIE_VELDEN = (
    "omschrijving",
    "eigenaar_soort",
    "eigenaar_id",
    "eigenaar_omschrijving",
    "deadline",
    "trede",
    "status",
    "reden_zwaar",
)


@dataclass(frozen=True)
class Veldwijziging:
    veld: str
    oud: Any
    nieuw: Any


@dataclass(frozen=True)
class Wijziging:
    """One changed goal or action. ``soort`` is toegevoegd, verwijderd or gewijzigd."""

    onderdeel: str  # "plan", "doel" or "actie"
    soort: str
    doel_tekst: str = ""
    actie_omschrijving: str = ""
    velden: tuple[Veldwijziging, ...] = field(default_factory=tuple)


def _changes(
    old: Mapping[str, Any], new: Mapping[str, Any], names: tuple[str, ...]
) -> tuple[Veldwijziging, ...]:
    return tuple(
        Veldwijziging(name, old.get(name), new.get(name))
        for name in names
        if _normal(old.get(name)) != _normal(new.get(name))
    )


def _normal(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    return None if value == "" else value


def _by_id(items: list[Mapping[str, Any]] | None) -> dict[str, Mapping[str, Any]]:
    return {str(item["id"]): item for item in items or []}


def _diff_acties(
    doel_tekst: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> list[Wijziging]:
    before, after = _by_id(old.get("acties")), _by_id(new.get("acties"))
    result = []
    for actie_id, actie in after.items():
        if actie_id not in before:
            result.append(
                Wijziging(
                    "actie",
                    "toegevoegd",
                    doel_tekst,
                    actie["omschrijving"],
                    _changes({}, actie, ACTIE_VELDEN),
                )
            )
            continue
        changes = _changes(before[actie_id], actie, ACTIE_VELDEN)
        if changes:
            result.append(
                Wijziging("actie", "gewijzigd", doel_tekst, actie["omschrijving"], changes)
            )
    result.extend(
        Wijziging("actie", "verwijderd", doel_tekst, actie["omschrijving"])
        for actie_id, actie in before.items()
        if actie_id not in after
    )
    return result


def snapshot_diff(oud: Mapping[str, Any] | None, nieuw: Mapping[str, Any]) -> list[Wijziging]:
    """The changes from ``oud`` to ``nieuw`` (``oud`` None: everything is new)."""
    oud = oud or {"doelen": []}
    result: list[Wijziging] = []
    if oud.get("startdatum") and oud.get("startdatum") != nieuw.get("startdatum"):
        result.append(
            Wijziging(
                "plan",
                "gewijzigd",
                velden=(
                    Veldwijziging("startdatum", oud.get("startdatum"), nieuw.get("startdatum")),
                ),
            )
        )
    before, after = _by_id(oud.get("doelen")), _by_id(nieuw.get("doelen"))
    for doel_id, doel in after.items():
        if doel_id not in before:
            result.append(
                Wijziging(
                    "doel", "toegevoegd", doel["tekst"], velden=_changes({}, doel, DOEL_VELDEN)
                )
            )
            result.extend(_diff_acties(doel["tekst"], {}, doel))
            continue
        changes = _changes(before[doel_id], doel, DOEL_VELDEN)
        if changes:
            result.append(Wijziging("doel", "gewijzigd", doel["tekst"], velden=changes))
        result.extend(_diff_acties(doel["tekst"], before[doel_id], doel))
    for doel_id, doel in before.items():
        if doel_id not in after:
            result.append(Wijziging("doel", "verwijderd", doel["tekst"]))
    return result


# -- display ----------------------------------------------------------------------------------

VELD_LABELS = {
    "startdatum": _l("startdatum"),
    "tekst": _l("doel"),
    "dimensies": _l("dimensies"),
    "leefgebieden": _l("leefgebieden"),
    "gezinsleden": _l("gezinsleden"),
    "uitkomst": _l("beoordeling"),
    "omschrijving": _l("actie"),
    "eigenaar_soort": _l("soort eigenaar"),
    "eigenaar_id": _l("eigenaar (medewerker)"),
    "eigenaar_omschrijving": _l("eigenaar (omschrijving)"),
    "deadline": _l("datum klaar"),
    "trede": _l("trede"),
    "status": _l("status"),
    "reden_zwaar": _l("reden zwaardere ondersteuning"),
}


@dataclass
class Weergave:
    """Turns raw snapshot values into Dutch display text.

    ``labels`` maps a field to its choice labels (code → label); ``namen`` maps a
    field (gezinsleden, eigenaar_id) to a function from id to a display name.
    """

    labels: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)
    namen: Mapping[str, Callable[[str], str]] = field(default_factory=dict)

    def veld(self, name: str) -> str:
        return str(VELD_LABELS.get(name, name))

    def waarde(self, name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, list):
            return ", ".join(self.waarde(name, item) for item in value)
        if name in self.namen:
            return self.namen[name](str(value))
        if name in self.labels:
            return str(self.labels[name].get(value, value))
        if name in ("deadline", "startdatum"):
            parsed = parse_date(str(value))
            return datum(parsed) if parsed else str(value)
        return str(value)
