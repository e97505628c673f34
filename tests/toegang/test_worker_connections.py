"""The worker thread closes its own database connection when it stops (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from django.db import connection, connections

from toegang import worker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_a_stopped_worker_thread_leaves_no_session_behind():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    before = _other_sessions()
    stop = threading.Event()
    ran = threading.Event()

    def job() -> int:
        with connection.cursor() as cursor:  # the worker thread's own connection
            cursor.execute("SELECT 1")
        ran.set()
        stop.set()
        return 0

    worker.register("test_connection_probe", job, interval=60)
    settings_dict = connections.settings["default"]
    max_age = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = 600  # persistent, as in production
    try:
        thread = threading.Thread(
            target=worker.run_forever, args=(stop, {"test_connection_probe"}), daemon=True
        )
        thread.start()
        thread.join(timeout=30)
    finally:
        settings_dict["CONN_MAX_AGE"] = max_age
        worker._JOBS.pop("test_connection_probe", None)
    assert ran.is_set() and not thread.is_alive()
    assert _other_sessions() == before
