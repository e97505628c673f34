"""Fixtures of the monitor tests: Putten's buurten, partners, melders, a teamleider."""

from __future__ import annotations

import pytest

from django.core.cache import cache

from monitor import demo, figures
from monitor.buurten import buurten_laden_uit_bestand
from tests.signalen import factories
from toegang.roles import Rol


@pytest.fixture(autouse=True)
def _buurten(db, team):
    """Putten's demo buurten; ``team`` is the gemeente's intake team."""
    buurten_laden_uit_bestand(str(demo.CSV))
    cache.clear()
    # Each test rolls back: a journal position can come back with other facts behind it.
    figures._CIJFERS.clear()
    figures._PATRONEN.clear()
    yield
    cache.clear()


@pytest.fixture
def melder(db):
    return factories.melder_of(factories.inloophuis())


@pytest.fixture
def huisarts(db):
    return factories.melder_of(factories.huisarts())


@pytest.fixture
def teamleider(make_user):
    return make_user(Rol.TEAMLEIDER)


@pytest.fixture
def beleid(make_user):
    return make_user(Rol.BELEIDSADVISEUR)
