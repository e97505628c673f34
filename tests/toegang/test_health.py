from __future__ import annotations

import socket

import pytest
import redis

from django.test import override_settings

from toegang.health import check_channel_layer

CORE = "channels_redis.core.RedisChannelLayer"
PUBSUB = "channels_redis.pubsub.RedisPubSubChannelLayer"


def test_healthz_reports_database_and_channel_layer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["channel_layer"]["ok"] is True


@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
)
def test_healthz_names_an_unreachable_channel_layer_and_stays_200(client, db):
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 200  # degraded, not down: the database answers
    body = response.json()
    assert body["status"] == "beperkt"
    assert body["beperkt"] == ["channel_layer"]
    assert body["channel_layer"]["ok"] is False
    assert body["database"]["ok"] is True


@pytest.fixture
def silent_port():
    """A loopback port that accepts TCP connections and then never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


@pytest.fixture
def redis_url(settings):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (CI's PostgreSQL + Redis pass)")
    return settings.REDIS_URL


@pytest.mark.parametrize("backend", [CORE, PUBSUB])
def test_channel_layer_check_gives_up_when_redis_does_not_answer(settings, silent_port, backend):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": backend, "CONFIG": {"hosts": [f"redis://127.0.0.1:{silent_port}/0"]}}
    }
    assert check_channel_layer(timeout=0.5) == (False, "geen antwoord binnen 0.5 s")


@pytest.mark.parametrize("backend", [CORE, PUBSUB])
def test_channel_layer_check_passes_a_message_on_both_redis_layers(settings, redis_url, backend):
    # On the pub/sub layer a message sent before anyone subscribed is gone, so a
    # check that sends first and listens afterwards waits forever.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": backend, "CONFIG": {"hosts": [redis_url]}}}
    assert check_channel_layer() == (True, backend.rsplit(".", 1)[1])


def test_channel_layer_check_leaves_no_keys_in_redis(settings, redis_url):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": CORE, "CONFIG": {"hosts": [redis_url]}}}
    client = redis.Redis.from_url(redis_url)
    try:
        for _ in range(3):
            assert check_channel_layer()[0] is True
        assert client.keys("asgihealthz*") == []
    finally:
        client.close()


def _counted(monkeypatch, name: str) -> list[int]:
    """Count the calls of ``toegang.health.<name>`` (which still runs)."""
    from toegang import health

    calls: list[int] = []
    real = getattr(health, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(health, name, counting)
    return calls


def test_healthz_checks_the_other_parts_at_most_once_per_cache_period(
    client, db, settings, monkeypatch
):
    """The database answers every call; the deep checks come from the last result."""
    from toegang import health

    layer_calls = _counted(monkeypatch, "check_channel_layer")
    database_calls = _counted(monkeypatch, "check_database")
    settings.HEALTHZ_CACHE_SECONDS = 60
    health._recent.clear()
    try:
        bodies = [client.get("/healthz").json() for _ in range(3)]
        assert len(layer_calls) == 1
        assert len(database_calls) == 3
        assert all(body == bodies[0] for body in bodies)
        assert bodies[0]["status"] == "ok"
        settings.HEALTHZ_CACHE_SECONDS = 0
        client.get("/healthz")
        assert len(layer_calls) == 2
    finally:
        health._recent.clear()


def test_healthz_answers_503_at_once_when_the_database_goes_away(client, db, settings, monkeypatch):
    from toegang import health

    settings.HEALTHZ_CACHE_SECONDS = 60
    health._recent.clear()
    try:
        assert client.get("/healthz").status_code == 200
        monkeypatch.setattr(health, "check_database", lambda: (False, "OperationalError: weg"))
        response = client.get("/healthz")
    finally:
        health._recent.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fout"
    assert body["audit_sleutel"] == {"ok": False, "detail": "database onbereikbaar"}
    assert body["channel_layer"]["ok"] is True
