"""Concurrency on PostgreSQL: retries with one Idempotency-Key make one signal with one
answer, and concurrent requests of one client never pass its rate limit together."""

from __future__ import annotations

import json
import threading

import pytest

from django.db import connection, connections
from rest_framework.test import APIClient

from casussen.models import Huishouden
from signalen.models import IdempotencyKey, Signaal
from tests.signalen import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RETRIES = 8


def _fire(token: str, data: dict, key: str) -> list:
    barrier = threading.Barrier(RETRIES)
    results: list = [None] * RETRIES

    def worker(index: int) -> None:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        try:
            headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
            results[index] = api.post(
                "/api/v1/signalen",
                data=json.dumps(data),
                content_type="application/json",
                **headers,
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(RETRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def token(inloophuis, make_user):
    from signalen.services import partner_client_create
    from toegang.roles import Rol

    _client, issued = partner_client_create(
        username="gelijktijdig", organisatie=inloophuis, by=make_user(Rol.BEHEERDER)
    )
    return issued.plaintext


def test_concurrent_retries_with_the_same_key_make_one_signal(token):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks on the unique index")
    results = _fire(token, factories.body(), "gelijktijdig-1")

    assert all(r is not None for r in results)
    assert {r.status_code for r in results} == {201}
    assert len({r.content for r in results}) == 1
    assert sum(1 for r in results if r.get("Idempotent-Replayed") == "true") == RETRIES - 1
    assert Signaal.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    # the losers' households and keys were rolled back with their transactions
    assert Huishouden.objects.count() == 1


def test_concurrent_requests_with_the_same_key_and_other_bodies_make_one_signal(token):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks on the unique index")
    barrier_data = [factories.anoniem(omschrijving=f"Versie {i}") for i in range(2)]
    first = _fire(token, barrier_data[0], "gelijktijdig-2")
    second = _fire(token, barrier_data[1], "gelijktijdig-2")

    assert {r.status_code for r in first} == {201}
    assert {r.status_code for r in second} == {409}
    assert Signaal.objects.count() == 1


def test_concurrent_requests_of_one_client_never_pass_its_limit_together(inloophuis, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent database sessions")
    from signalen.services import partner_client_create
    from toegang.roles import Rol

    _client, issued = partner_client_create(
        username="gelijktijdig-limiet",
        organisatie=inloophuis,
        rate_limit="3/day",
        by=make_user(Rol.BEHEERDER),
    )
    results = _fire(issued.plaintext, factories.anoniem(), key="")
    codes = sorted(r.status_code for r in results)
    assert codes == [201] * 3 + [429] * (RETRIES - 3)
    assert Signaal.objects.count() == 3
