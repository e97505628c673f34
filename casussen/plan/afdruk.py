"""The resident's printout of the plan: only what the resident should read, in plain Dutch (B1).

``Afdruk`` is built by ``casussen.plan.selectors.afdruk_for_plan`` and rendered
by the print page and by ``casussen.plan.pdf``. It has no field for notes,
treden, reasons, audit data or internal ids, so neither rendering can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from casussen.plan.constants import ActieStatus, Dimensie, DoelUitkomst, EigenaarSoort

#: The six dimensions in words a resident uses (B1).
DIMENSIE_B1: dict[str, Any] = {
    Dimensie.LICHAAMSFUNCTIES: _("Uw lichaam"),
    Dimensie.MENTAAL_WELBEVINDEN: _("Uw gevoel en gedachten"),
    Dimensie.ZINGEVING: _("Zin in het leven"),
    Dimensie.KWALITEIT_VAN_LEVEN: _("Genieten van het leven"),
    Dimensie.MEEDOEN: _("Meedoen met anderen"),
    Dimensie.DAGELIJKS_FUNCTIONEREN: _("Uw dagelijks leven"),
}

EIGENAAR_B1: dict[str, Any] = {
    EigenaarSoort.INWONER: _("U zelf"),
    EigenaarSoort.NETWERK: _("Iemand uit uw omgeving"),
    EigenaarSoort.PARTNERORGANISATIE: _("Een organisatie"),
    EigenaarSoort.GEMEENTE: _("De gemeente"),
}

STATUS_B1: dict[str, Any] = {
    ActieStatus.OPEN: _("Nog niet begonnen"),
    ActieStatus.BEZIG: _("Bezig"),
    ActieStatus.KLAAR: _("Klaar"),
    ActieStatus.GESTOPT: _("Gestopt"),
}

UITKOMST_B1: dict[str, Any] = {
    DoelUitkomst.BEREIKT: _("Gelukt"),
    DoelUitkomst.DEELS_BEREIKT: _("Een deel is gelukt"),
    DoelUitkomst.NIET_BEREIKT: _("Nog niet gelukt"),
}


@dataclass(frozen=True)
class AfdrukActie:
    wat: str
    wie: str
    wanneer: date | None
    stand: str


@dataclass(frozen=True)
class AfdrukDoel:
    tekst: str
    voor_wie: tuple[str, ...]
    uitkomst: str
    acties: tuple[AfdrukActie, ...]


@dataclass(frozen=True)
class AfdrukScore:
    onderwerp: str
    eerst: int | None
    nu: int | None


@dataclass(frozen=True)
class Afdruk:
    """Everything on the resident's printout, and nothing else."""

    namen: tuple[str, ...]
    contactpersoon: str
    organisatie: str
    afgesproken_op: date | None
    startdatum: date
    afgedrukt_op: date
    doelen: tuple[AfdrukDoel, ...]
    scores: tuple[AfdrukScore, ...] = field(default_factory=tuple)
    eerste_meting: date | None = None
    laatste_meting: date | None = None
    #: How the resident reaches the contactpersoon (from the consultant's profile).
    contact_telefoon: str = ""
    contact_email: str = ""
    #: The letterhead: the municipality's name and logo file (settings).
    gemeente: str = ""
    logo: str = ""


def wie_text(eigenaar_soort: str, omschrijving: str | None, medewerker: str | None) -> str:
    """'U zelf', 'Iemand uit uw omgeving: uw zus Els', 'Een organisatie: Schuldhulp', ..."""
    base = str(EIGENAAR_B1.get(eigenaar_soort, eigenaar_soort))
    detail = omschrijving or medewerker or ""
    return f"{base}: {detail}" if detail and eigenaar_soort != EigenaarSoort.INWONER else base
