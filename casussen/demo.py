"""Demo huishoudens with gezinsleden (Faker nl_NL, valid BSNs), created through the services.

Idempotent: does nothing once any huishouden exists. Every personal value is
sealed on the way in; after ``manage.py demo`` no name or BSN is stored in plain text.
"""

from __future__ import annotations

from datetime import date, timedelta

from faker import Faker

from casussen.models import Huishouden, Relatie
from casussen.plan import demo as plan_demo
from casussen.services.huishouden import gezinslid_add, huishouden_create
from toegang.crypto.bsn import bsn_is_valid

HUISHOUDENS = 6
SEED = 2026


def _bsn(fake: Faker) -> str:
    while True:
        bsn = fake.ssn()
        if bsn_is_valid(bsn):
            return bsn


def _birth_date(fake: Faker, min_age: int, max_age: int) -> date:
    return fake.date_between(
        start_date=date.today() - timedelta(days=365 * max_age),
        end_date=date.today() - timedelta(days=365 * min_age),
    )


def load() -> int:
    """Create the demo huishoudens if there are none; return how many were created."""
    if Huishouden.objects.exists():
        return 0
    fake = Faker("nl_NL")
    fake.seed_instance(SEED)
    for number in range(HUISHOUDENS):
        huishouden = huishouden_create(by=None)
        achternaam = fake.last_name()
        adres = {
            "straat": fake.street_name(),
            "huisnummer": fake.building_number(),
            "postcode": fake.postcode(),
            "woonplaats": "Putten",
        }
        leden = [(Relatie.AANVRAGER, 25, 80)]
        if number % 2 == 0:
            leden.append((Relatie.PARTNER, 25, 80))
        leden += [(Relatie.KIND, 0, 17)] * (number % 3)
        for relatie, min_age, max_age in leden:
            gezinslid_add(
                huishouden=huishouden,
                by=None,
                relatie=relatie,
                voornaam=fake.first_name(),
                achternaam=achternaam if relatie != Relatie.PARTNER else fake.last_name(),
                geboortedatum=_birth_date(fake, min_age, max_age),
                bsn=_bsn(fake),
                telefoon=fake.phone_number() if relatie != Relatie.KIND else "",
                **adres,
            )
    plan_demo.load()
    return HUISHOUDENS
