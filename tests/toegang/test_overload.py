"""A saturated database answers 503 with Retry-After (problem+json or a Dutch page), never 500.

On real PostgreSQL: the pool shrinks to one connection, the test holds it, and a
request from another thread waits for the pool's timeout.
"""

from __future__ import annotations

import threading

import psycopg
import pytest

from django.db import OperationalError, connection, connections
from django.test import Client
from rest_framework.test import APIClient

from toegang.overload import is_overload
from toegang.roles import Rol
from toegang.services import api_token_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pool_of_one(settings):
    """The default alias with a pool of exactly one connection and a short timeout."""
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's")
    settings.OVERLOAD_RETRY_AFTER = 7
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = options.get("pool")
    connection.close()
    connection.close_pool()
    options["pool"] = {"min_size": 1, "max_size": 1, "timeout": 0.5}
    yield
    connection.close()
    connection.close_pool()
    if saved is None:
        options.pop("pool", None)
    else:
        options["pool"] = saved


def _in_other_thread(fn):
    """Run ``fn`` in a thread of its own (its own database connection) and return its result."""
    result: list = []

    def run() -> None:
        try:
            result.append(fn())
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    assert result, "the request in the other thread did not answer"
    return result[0]


def test_api_answers_503_problem_json_with_retry_after_when_the_pool_is_exhausted(
    pool_of_one, make_user
):
    consulent = make_user(Rol.CONSULENT)
    token = api_token_create(user=consulent, naam="last").plaintext
    connection.ensure_connection()  # the test holds the pool's only connection

    def request():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return api.get("/api/v1/casussen")

    response = _in_other_thread(request)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "7"
    body = response.json()
    assert body["status"] == 503
    assert body["type"].endswith("/overbelast")


def test_ui_answers_a_dutch_503_page_when_a_middleware_finds_the_pool_exhausted(
    pool_of_one, make_user
):
    browser = Client()
    browser.force_login(make_user(Rol.CONSULENT))  # the session lookup needs the database
    connection.ensure_connection()

    response = _in_other_thread(lambda: browser.get("/casussen/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Content-Type"].startswith("text/html")
    assert "Even te druk" in response.content.decode()


def test_after_the_overload_the_same_request_succeeds(pool_of_one, make_user):
    consulent = make_user(Rol.CONSULENT)
    token = api_token_create(user=consulent, naam="last").plaintext
    connection.close()  # the connection goes back to the pool

    def request():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return api.get("/api/v1/casussen")

    assert _in_other_thread(request).status_code == 200


def test_too_many_clients_counts_as_overload_and_other_database_errors_do_not():
    refused = OperationalError("sorry, too many clients already")
    refused.__cause__ = psycopg.errors.TooManyConnections("sorry, too many clients already")
    assert is_overload(refused)
    broken = OperationalError("server closed the connection unexpectedly")
    broken.__cause__ = psycopg.errors.AdminShutdown("terminating connection")
    assert not is_overload(broken)
