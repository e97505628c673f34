"""Test data for signalen: partner organisations, melders, API clients, request bodies."""

from __future__ import annotations

from typing import Any

from tests.toegang.factories import OrganisatieFactory, UserFactory
from toegang.models import Organisatie
from toegang.roles import Rol

#: BSNs that pass the elfproef (invented).
BSN = "111222333"
BSN_2 = "123456782"


def inloophuis(naam: str = "Inloophuis De Brug") -> Organisatie:
    return OrganisatieFactory(
        naam=naam, soort=Organisatie.Soort.INLOOPHUIS, buurt="Centrum", mag_bsn_verwerken=False
    )


def huisarts(naam: str = "Huisartsenpraktijk Het Dorp") -> Organisatie:
    return OrganisatieFactory(
        naam=naam, soort=Organisatie.Soort.HUISARTS, buurt="Oost", mag_bsn_verwerken=True
    )


def melder_of(organisatie: Organisatie, **kwargs: Any):
    return UserFactory(rol=Rol.MELDER, organisatie=organisatie, team=None, **kwargs)


def body(**overrides: Any) -> dict[str, Any]:
    """A valid API body "met toestemming"; override any key (None removes it)."""
    data: dict[str, Any] = {
        "toestemming": "met_toestemming",
        "inwoner": {"voornaam": "Jan", "achternaam": "de Boer", "geboortedatum": "1958-03-14"},
        "leefgebieden": ["financien", "eenzaamheid"],
        "omschrijving": "De post stapelt zich op en meneer staat rood.",
        "urgent": False,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def anoniem(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "toestemming": "zonder_toestemming",
        "inwoner": None,
        "buurt": "Centrum",
        "leefgebieden": ["eenzaamheid"],
        "omschrijving": "Een oudere bezoeker komt nauwelijks meer buiten.",
    }
    return body(**{**values, **overrides})


def warm(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "toestemming": "warme_overdracht",
        "inwoner": {"voornaam": "Fatma"},
        "leefgebieden": ["opvoeden"],
        "omschrijving": "Moeder wil graag praten, maar niet thuis.",
        "contactroute": "Via de gastvrouw, dinsdagochtend in het inloophuis.",
    }
    return body(**{**values, **overrides})
