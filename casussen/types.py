"""Plain data passed between signalen and casussen (no models, no personal data in reprs)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casussen.models import Casus, Huishouden


@dataclass(frozen=True)
class PersoonsGegevens:
    """Identifying data of one resident as a signal brings it; every field optional."""

    voornaam: str = field(default="", repr=False)
    achternaam: str = field(default="", repr=False)
    geboortedatum: date | None = field(default=None, repr=False)
    bsn: str = field(default="", repr=False)
    straat: str = field(default="", repr=False)
    huisnummer: str = field(default="", repr=False)
    postcode: str = field(default="", repr=False)
    woonplaats: str = field(default="", repr=False)
    telefoon: str = field(default="", repr=False)

    @property
    def is_leeg(self) -> bool:
        return not any(
            (self.voornaam, self.achternaam, self.geboortedatum, self.bsn, self.postcode)
        )


@dataclass(frozen=True)
class MatchResult:
    """Outcome of matching on blind indexes: an exact household and/or possible ones."""

    casus: Casus | None = None
    huishouden: Huishouden | None = None
    mogelijke_huishouden_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class IntakeResult:
    """What ``intake_persoon`` found or made; the caller's one audit record names all of it."""

    huishouden: Huishouden
    casus: Casus | None = None
    mogelijke_huishouden_ids: list[uuid.UUID] = field(default_factory=list)
    #: True for a new household (made here), False for one found by its blind indexes.
    nieuw: bool = True
    #: Gezinsleden created by this intake.
    nieuwe_persoon_ids: list[uuid.UUID] = field(default_factory=list)
