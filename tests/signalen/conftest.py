"""Fixtures of the signalen tests: partner organisations, melders, API clients, a known casus."""

from __future__ import annotations

from datetime import date

import pytest

from django.core.cache import cache
from rest_framework.test import APIClient

from casussen.services.casus import casus_open
from signalen.services import partner_client_create
from tests.casussen.factories import make_huishouden
from tests.signalen import factories
from toegang.roles import Rol


@pytest.fixture(autouse=True)
def _intake_team(team):
    """Unmatched signals go to the queue of this team (the only team of the gemeente)."""
    return team


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def inloophuis(db):
    return factories.inloophuis()


@pytest.fixture
def praktijk(db):
    return factories.huisarts()


@pytest.fixture
def melder(inloophuis):
    return factories.melder_of(inloophuis)


@pytest.fixture
def huisarts(praktijk):
    return factories.melder_of(praktijk)


@pytest.fixture
def teamleider(make_user):
    return make_user(Rol.TEAMLEIDER)


@pytest.fixture
def api_client_of(db, make_user):
    """An authenticated APIClient for a new partner API client of ``organisatie``."""

    def make(organisatie, *, username: str | None = None, rate_limit: str = ""):
        beheerder = make_user(Rol.BEHEERDER)
        client, issued = partner_client_create(
            username=username or f"systeem-{organisatie.pk.hex[:8]}",
            organisatie=organisatie,
            rate_limit=rate_limit,
            by=beheerder,
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
        api.partner = client  # type: ignore[attr-defined]
        return api

    return make


@pytest.fixture
def api(api_client_of, inloophuis):
    return api_client_of(inloophuis)


@pytest.fixture
def huisarts_api(api_client_of, praktijk):
    return api_client_of(praktijk)


@pytest.fixture
def bekende_casus(db, team, teamleider, consulent):
    """An open casus whose gezinslid has ``factories.BSN``, de Boer, 14-3-1958, 3881 AB 12."""
    huishouden, _leden = make_huishouden(
        {
            "voornaam": "Jan",
            "achternaam": "de Boer",
            "geboortedatum": date(1958, 3, 14),
            "bsn": factories.BSN,
            "postcode": "3881 AB",
            "huisnummer": "12",
        }
    )
    return casus_open(
        huishouden=huishouden,
        aanspreekpunt=consulent,
        team=team,
        by=teamleider,
        leefgebieden=("wonen",),
    )
