"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from django.test import Client

from tests.auth import verified_login
from tests.toegang.factories import OrganisatieFactory, TeamFactory, UserFactory
from toegang.models import Organisatie
from toegang.roles import Rol


@pytest.fixture(scope="session", autouse=True)
def _test_database_is_dropped(django_db_setup, django_db_blocker):
    """The test database is always dropped: end sessions that threads or pools left open."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all(initialized_only=True):
            if connection.vendor != "postgresql":
                continue
            _close_with_pool(connection)  # its pooled connections may have been ended
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            _close_with_pool(connection)


def _close_with_pool(connection) -> None:
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


@pytest.fixture
def gemeente(db) -> Organisatie:
    return OrganisatieFactory(naam="Gemeente Test", soort=Organisatie.Soort.GEMEENTE)


@pytest.fixture
def team(gemeente):
    return TeamFactory(organisatie=gemeente)


@pytest.fixture
def make_user(db, gemeente, team):
    """Create a user with a role; consulenten and teamleiders join ``team``."""

    def make(rol: str = Rol.CONSULENT, **kwargs):
        if rol in (Rol.CONSULENT, Rol.TEAMLEIDER):
            kwargs.setdefault("organisatie", gemeente)
            kwargs.setdefault("team", team)
        elif rol != Rol.MELDER:
            kwargs.setdefault("organisatie", gemeente)
        return UserFactory(rol=rol, **kwargs)

    return make


@pytest.fixture
def consulent(make_user):
    return make_user(Rol.CONSULENT)


@pytest.fixture
def login(client: Client):
    """Log ``user`` in on the test client (second factor verified) and return the client.

    The fast path (see ``tests/auth.py``); ``tests.auth.log_in`` walks the real login.
    """

    def do(user) -> Client:
        return verified_login(client, user)

    return do


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright keeps an event loop running in the test thread
    for the rest of the session, which async tests after it could not share."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.fspath))
