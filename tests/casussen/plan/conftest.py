"""Fixtures of the plan tests: a casus with its plan, scores, betrokkenen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from django.utils import timezone

from casussen.plan import services
from casussen.services.betrokkenen import betrokkene_add
from toegang.roles import Rol

START = date(2026, 1, 12)


def scores(**overrides: int) -> dict[str, int]:
    values = {
        "lichaamsfuncties": 5,
        "mentaal_welbevinden": 3,
        "zingeving": 6,
        "kwaliteit_van_leven": 4,
        "meedoen": 2,
        "dagelijks_functioneren": 7,
    }
    values.update(overrides)
    return values


@pytest.fixture
def gezin(make_casus, consulent):
    """A casus of a household with two gezinsleden, the consulent its aanspreekpunt."""
    return make_casus(consulent, leden=({"voornaam": "Anna"}, {"voornaam": "Piet"}))


@pytest.fixture
def plan(casus, consulent):
    return services.plan_create(casus=casus, startdatum=START, by=consulent)


@pytest.fixture
def lid(casus):
    return casus.huishouden.gezinsleden.first()


@pytest.fixture
def doel(plan, casus, consulent, lid):
    return services.doel_add(
        plan=plan,
        casus=casus,
        by=consulent,
        tekst="Ik wil weer rust in mijn hoofd over geld",
        dimensies=["mentaal_welbevinden"],
        leefgebieden=["financien"],
        gezinsleden=[lid.pk],
    )


@pytest.fixture
def make_actie(casus, consulent):
    def make(doel, *, trede=1, by=None, **kwargs):
        values = {
            "omschrijving": f"Actie op trede {trede}",
            "eigenaar_soort": "inwoner",
            "deadline": START + timedelta(days=30),
            "trede": trede,
        }
        values.update(kwargs)
        return services.actie_add(doel=doel, casus=casus, by=by or consulent, **values)

    return make


@pytest.fixture
def make_betrokkene(make_user, casus, consulent):
    """A consulent of another organisation with view (and optionally change) access."""

    def make(*, schrijfrecht: bool):
        user = make_user(Rol.CONSULENT)
        betrokkene_add(
            casus=casus,
            user=user,
            reden="Schuldhulpverlening",
            eind_datum=timezone.localdate() + timedelta(days=30),
            by=consulent,
            schrijfrecht=schrijfrecht,
        )
        return user

    return make
