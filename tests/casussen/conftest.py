"""Fixtures of the casus tests: casussen opened through the services."""

from __future__ import annotations

import pytest

from casussen.models import Casus
from casussen.services.casus import casus_open
from tests.casussen.factories import make_huishouden
from tests.toegang.factories import TeamFactory
from toegang.roles import Rol


@pytest.fixture
def teamleider(make_user):
    return make_user(Rol.TEAMLEIDER)


@pytest.fixture
def collega(make_user):
    """A second consulent of the same team."""
    return make_user(Rol.CONSULENT)


@pytest.fixture
def make_casus(db, team, teamleider):
    """Open a casus for a fresh huishouden; ``aanspreekpunt=None`` leaves it unassigned."""

    def make(aanspreekpunt=None, *, casus_team=None, urgent=False, leefgebieden=(), leden=None):
        huishouden, _ = make_huishouden(*(leden or ({},)))
        return casus_open(
            huishouden=huishouden,
            aanspreekpunt=aanspreekpunt,
            team=casus_team or team,
            by=teamleider,
            urgent=urgent,
            leefgebieden=leefgebieden,
        )

    return make


@pytest.fixture
def casus(make_casus, consulent) -> Casus:
    return make_casus(consulent)


@pytest.fixture
def ander_team(gemeente):
    return TeamFactory(organisatie=gemeente)
