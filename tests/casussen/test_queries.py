"""The consultant's case list and case page run a fixed, small number of queries:
the list does not grow with its rows (no N+1), the page has a ceiling."""

from __future__ import annotations

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from toegang.services import api_token_create

pytestmark = pytest.mark.django_db

#: Ceilings, counted on the test client (session or token lookup included; the pages
#: also the second-factor check of the session).
LIST_API_MAX = 3  # token, the casussen (first gezinslid included), the audit record
LIST_PAGE_MAX = 5  # session, user, the casussen, the organisatie (menu), the record
CASE_API_MAX = 6
CASE_PAGE_MAX = 11  # + the sociaal vangnet overleg section (its agendapunten)


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def token_client(consulent):
    api = APIClient()
    token = api_token_create(user=consulent, naam="lijst").plaintext
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_the_case_list_api_runs_the_same_queries_for_1_and_20_casussen(
    token_client, make_casus, consulent
):
    make_casus(consulent)
    token_client.get("/api/v1/casussen")  # the token's first use is written once
    one = _count(lambda: token_client.get("/api/v1/casussen"))
    for _ in range(19):
        make_casus(consulent)
    twenty = _count(lambda: token_client.get("/api/v1/casussen"))
    assert twenty == one
    assert one <= LIST_API_MAX
    assert len(token_client.get("/api/v1/casussen").json()["results"]) == 20


def test_the_case_list_page_runs_the_same_queries_for_1_and_20_casussen(
    login, make_casus, consulent
):
    client = login(consulent)
    make_casus(consulent)
    one = _count(lambda: client.get("/casussen/"))
    for _ in range(19):
        make_casus(consulent)
    twenty = _count(lambda: client.get("/casussen/"))
    assert twenty == one
    assert one <= LIST_PAGE_MAX


def test_the_case_api_and_page_stay_under_their_ceilings(
    login, token_client, make_casus, consulent
):
    casus = make_casus(consulent, leden=[{}, {}, {}])
    token_client.get("/api/v1/casussen")  # the token's first use is written once
    assert _count(lambda: token_client.get(f"/api/v1/casussen/{casus.pk}")) <= CASE_API_MAX
    client = login(consulent)
    assert _count(lambda: client.get(f"/casussen/{casus.pk}/")) <= CASE_PAGE_MAX
