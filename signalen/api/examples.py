"""OpenAPI examples of the signalen API (invented people, valid test BSN)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

REQUESTS = [
    OpenApiExample(
        "Met toestemming",
        request_only=True,
        value={
            "toestemming": "met_toestemming",
            "inwoner": {
                "voornaam": "Jan",
                "achternaam": "de Boer",
                "geboortedatum": "1958-03-14",
                "postcode": "3881 AB",
                "huisnummer": "12",
                "telefoon": "0612345678",
            },
            "leefgebieden": ["financien", "eenzaamheid"],
            "omschrijving": "Meneer vertelt dat de post zich opstapelt en dat hij rood staat.",
            "urgent": False,
        },
    ),
    OpenApiExample(
        "Met toestemming en BSN (huisarts)",
        request_only=True,
        description="Alleen voor organisaties die een BSN mogen verwerken.",
        value={
            "toestemming": "met_toestemming",
            "inwoner": {"achternaam": "Jansen", "bsn": "111222333"},
            "leefgebieden": ["gezondheid", "financien"],
            "omschrijving": "Stressklachten door schulden; patiënt wil hulp.",
        },
    ),
    OpenApiExample(
        "Zonder toestemming (anoniem)",
        request_only=True,
        value={
            "toestemming": "zonder_toestemming",
            "buurt": "Putten-Centrum",
            "leefgebieden": ["eenzaamheid"],
            "omschrijving": "Een oudere bezoeker komt nauwelijks meer buiten.",
        },
    ),
    OpenApiExample(
        "Warme overdracht",
        request_only=True,
        value={
            "toestemming": "warme_overdracht",
            "inwoner": {"voornaam": "Fatma"},
            "leefgebieden": ["opvoeden", "veiligheid"],
            "omschrijving": "Moeder wil graag praten, maar niet thuis.",
            "veiligheid": True,
            "contactroute": "Via de gastvrouw, dinsdagochtend in het inloophuis.",
        },
    ),
]

CREATED = OpenApiExample(
    "Ontvangen",
    response_only=True,
    status_codes=["201"],
    value={
        "id": "5b0f6a52-3f0e-4d8e-9d1a-6c1f0f7f2a11",
        "referentie": "BT-7KQ4-M2XP",
        "status": "ontvangen",
        "aangemaakt_op": "2026-03-02T10:15:00+01:00",
    },
)

STATUS = OpenApiExample(
    "Opgepakt",
    response_only=True,
    value={
        "id": "5b0f6a52-3f0e-4d8e-9d1a-6c1f0f7f2a11",
        "referentie": "BT-7KQ4-M2XP",
        "status": "opgepakt",
        "terugkoppeling": "Er is contact gelegd. Dank voor uw signaal.",
        "status_gewijzigd_op": "2026-03-03T09:00:00+01:00",
        "aangemaakt_op": "2026-03-02T10:15:00+01:00",
    },
)

INVALID = OpenApiExample(
    "Ongeldige invoer",
    response_only=True,
    status_codes=["400"],
    value={
        "type": "https://brede-toegang.nl/problemen/ongeldig-verzoek",
        "title": "Ongeldig verzoek",
        "status": 400,
        "detail": "Een of meer velden zijn ongeldig.",
        "invalid-params": [
            {
                "name": "inwoner.bsn",
                "reason": "Dit is geen geldig BSN: het voldoet niet aan de elfproef.",
            },
            {"name": "leefgebieden", "reason": "Kies ten minste één leefgebied."},
        ],
    },
)

CONFLICT = OpenApiExample(
    "Sleutel hergebruikt",
    response_only=True,
    status_codes=["409"],
    value={
        "type": "https://brede-toegang.nl/problemen/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "Deze Idempotency-Key is al gebruikt voor een ander verzoek. "
        "Gebruik een nieuwe sleutel voor een nieuw signaal.",
    },
)
