"""List pages and endpoints run a fixed number of queries, however many signals they show."""

from __future__ import annotations

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from signalen.services import signaal_receive, signaal_terugkoppelen
from tests.signalen import factories
from toegang.roles import Rol


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add(melder, teamleider, n: int) -> None:
    for _ in range(n):
        signaal = signaal_receive(melder=melder, data=factories.anoniem())
        signaal_terugkoppelen(
            signaal=signaal, status="opgepakt", bericht="Opgepakt.", by=teamleider
        )


@pytest.mark.parametrize("path", ["/signalen/", "/api/v1/signalen"])
def test_the_melders_lists_do_not_grow_queries_with_rows(login, melder, make_user, path):
    teamleider = make_user(Rol.TEAMLEIDER)
    client = login(melder)
    _add(melder, teamleider, 2)
    few = _queries(lambda: client.get(path))
    _add(melder, teamleider, 8)
    assert _queries(lambda: client.get(path)) == few


def test_the_queue_does_not_grow_queries_with_rows(login, melder, make_user):
    teamleider = make_user(Rol.TEAMLEIDER)
    client = login(teamleider)
    signaal_receive(melder=melder, data=factories.anoniem())
    few = _queries(lambda: client.get("/signalen/aanmeldingen/"))
    for _ in range(8):
        signaal_receive(melder=melder, data=factories.body(inwoner={"voornaam": "X"}))
    assert _queries(lambda: client.get("/signalen/aanmeldingen/")) == few
