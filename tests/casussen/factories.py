"""Test data for casussen: huishoudens with gezinsleden, made through the services."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from faker import Faker

from casussen.models import Gezinslid, Huishouden
from casussen.services.huishouden import gezinslid_add, huishouden_create

fake = Faker("nl_NL")
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
#: What closing a casus needs besides the status.
AFSLUITING = {"afsluitreden": "doelen_bereikt", "grondslag": "wmo_2015"}


def random_bsn(rng: random.Random | None = None) -> str:
    """A random BSN that passes the elfproef."""
    rng = rng or random.Random()
    while True:
        digits = [rng.randrange(10) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
        if check < 10 and (digits[0] or digits[1]):
            return "".join(map(str, digits)) + str(check)


def gezinslid_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "voornaam": fake.first_name(),
        "achternaam": fake.last_name(),
        "geboortedatum": fake.date_between(start_date=date(1940, 1, 1), end_date=date(2020, 1, 1)),
        "bsn": random_bsn(),
        "straat": fake.street_name(),
        "huisnummer": fake.building_number(),
        "postcode": fake.postcode(),
        "woonplaats": fake.city(),
        "telefoon": fake.phone_number(),
    }
    values.update(overrides)
    return values


def make_huishouden(*leden: dict[str, Any], by: Any = None) -> tuple[Huishouden, list[Gezinslid]]:
    """A huishouden with the given gezinsleden (keyword dicts; one random lid if none)."""
    huishouden = huishouden_create(by=by)
    made = [
        gezinslid_add(huishouden=huishouden, by=by, **gezinslid_values(**lid))
        for lid in (leden or ({},))
    ]
    return huishouden, made


def beperk(huishouden: Huishouden, *, by: Any) -> None:
    """Grant a restriction (AVG art. 18) on ``huishouden`` through the privacy workflow."""
    from casussen.services import rechten

    verzoek = rechten.verzoek_registreren(
        soort="beperking", huishouden=huishouden, by=by, reden="De inwoner betwist het dossier."
    )
    rechten.verzoek_besluiten(verzoek=verzoek, toewijzen=True, by=by, reden="Betwist")
