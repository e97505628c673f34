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
    client.get(path)  # the first page after login takes the login's message and session write
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


# The intake of one signal over the API, token lookup included. The test's own
# transaction adds a savepoint pair around the service's transaction (2 of each count);
# in production these are the BEGIN and COMMIT the driver sends without a query of its own.


def test_an_identified_signal_for_a_new_household_takes_at_most_10_queries(
    huisarts_api, django_assert_max_num_queries
):
    huisarts_api.post("/api/v1/signalen", factories.body(), format="json")  # warm caches
    data = factories.body(
        inwoner={"voornaam": "Piet", "achternaam": "Jansen", "geboortedatum": "1970-01-02"}
    )
    # On PostgreSQL 6: the token, the matching, the new rows (data key, household,
    # gezinslid, signal and outbox row in one statement: toegang.inserts.batched), the
    # audit record and the savepoint pair. Elsewhere each row is its own INSERT.
    with django_assert_max_num_queries(6 if connection.vendor == "postgresql" else 10):
        response = huisarts_api.post("/api/v1/signalen", data, format="json")
    assert response.status_code == 201


def test_an_identified_signal_joining_a_casus_takes_at_most_14_queries(
    huisarts_api, bekende_casus, django_assert_max_num_queries
):
    # One more than a new household: the link to the open casus is recorded by "systeem"
    # (matching, with the melder as trigger), apart from the melder's own record.
    huisarts_api.post("/api/v1/signalen", factories.anoniem(), format="json")  # warm caches
    data = factories.body(
        inwoner={"bsn": factories.BSN, "achternaam": "de Boer", "geboortedatum": "1958-03-14"}
    )
    with django_assert_max_num_queries(14):
        response = huisarts_api.post("/api/v1/signalen", data, format="json")
    assert response.status_code == 201


def test_an_anonymous_signal_takes_at_most_8_queries(api, django_assert_max_num_queries):
    api.post("/api/v1/signalen", factories.anoniem(), format="json")  # warm caches
    with django_assert_max_num_queries(8):
        response = api.post("/api/v1/signalen", factories.anoniem(), format="json")
    assert response.status_code == 201
