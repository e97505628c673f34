"""Redis down: the intake (API and web form) still stores every signal; /healthz says "beperkt"."""

from __future__ import annotations

import json
import time

import pytest
import redis

from django.core.cache import cache

from signalen.models import Signaal
from tests.signalen import factories
from tests.signalen.test_pages import NIEUW, _form
from toegang.events.models import OutboxEvent

pytestmark = pytest.mark.django_db

SIGNALS = 30


def _post(api, index: int):
    body = factories.body(omschrijving=f"Signaal {index} tijdens een storing.")
    return api.post(
        "/api/v1/signalen",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=f"storing-{index}",
    )


def test_partner_signals_are_all_stored_while_redis_is_down(
    own_redis_cache,
    api_client_of,
    inloophuis,
):
    api = api_client_of(inloophuis)
    own_redis_cache.stop()
    codes = [_post(api, i).status_code for i in range(SIGNALS)]
    assert codes == [201] * SIGNALS
    assert Signaal.objects.count() == SIGNALS
    # Each waits in the outbox for its aanspreekpunt's browser, whatever Redis does.
    assert OutboxEvent.objects.filter(event_type="signaal.ontvangen").count() == SIGNALS


def test_the_rate_limit_still_counts_while_redis_is_down(
    own_redis_cache,
    api_client_of,
    inloophuis,
    team,
    monkeypatch,
):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"api_client": "3/hour", "user": "3/hour"}
    )
    api = api_client_of(inloophuis)
    own_redis_cache.stop()
    codes = [_post(api, i).status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]  # counted in this process's memory meanwhile


def test_the_web_form_stores_the_signal_while_redis_is_down(
    own_redis_cache,
    client,
    melder,
    team,
):
    client.force_login(melder)
    own_redis_cache.stop()
    response = client.post(NIEUW, _form(idempotency_key="storing-formulier"))
    assert response.status_code == 302
    assert Signaal.objects.count() == 1
    confirmation = client.get(response["Location"])  # the session lives in the database
    assert confirmation.status_code == 200


def test_the_cache_uses_redis_again_once_it_is_back(own_redis_cache, caplog):
    own_redis_cache.stop()
    for _ in range(20):
        cache.set("storing:tijdens", "lokaal")
    assert cache.get("storing:tijdens") == "lokaal"
    own_redis_cache.start()
    direct = redis.Redis.from_url(own_redis_cache.url)
    try:
        for attempt in range(100):  # the next probe is due within a second
            cache.set("storing:erna", attempt)
            if any(key.endswith(b"storing:erna") for key in direct.keys("*")):
                break
            time.sleep(0.05)
        assert any(key.endswith(b"storing:erna") for key in direct.keys("*"))
    finally:
        direct.close()
    # One line when the outage started and one when it ended, not one per call.
    assert _logged(caplog, "outage_started") == 1
    assert _logged(caplog, "outage_ended") == 1


def test_a_counter_is_made_with_its_expiry_and_raised_in_one_command(own_redis_cache):
    from toegang.cache import count

    def calls(command: str) -> int:
        return int(direct.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0))

    direct = redis.Redis.from_url(own_redis_cache.url)
    try:
        assert [count("teller", 30) for _ in range(3)] == [1, 2, 3]
        [key] = [k for k in direct.keys("*") if k.endswith(b"teller")]
        assert 0 < direct.ttl(key) <= 30
        before = {
            command: calls(command) for command in ("evalsha", "incr", "expire", "exists", "get")
        }
        assert count("teller", 30) == 4
        after = {command: calls(command) for command in before}
        # One script with the increment in it (the expiry only for a new key); no look
        # (EXISTS, GET) before it.
        assert after == {**before, "evalsha": before["evalsha"] + 1, "incr": before["incr"] + 1}
        own_redis_cache.stop()
        assert [count("teller", 30) for _ in range(2)] == [1, 2]  # this process, meanwhile
    finally:
        direct.close()


def _logged(caplog, event: str) -> int:
    return sum(1 for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == event)


def test_healthz_says_beperkt_with_200_when_redis_is_down(own_redis_cache, settings, client):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [own_redis_cache.url]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        assert client.get("/healthz").json()["status"] == "ok"
        own_redis_cache.stop()
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "beperkt"
    assert body["beperkt"] == ["cache", "channel_layer"]
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is False and body["channel_layer"]["ok"] is False


def test_healthz_names_nats_when_it_is_down(nats_server, settings, client):
    settings.NATS_URL = nats_server.url
    assert client.get("/healthz").json()["nats"]["ok"] is True
    nats_server.stop()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "beperkt"
    assert response.json()["beperkt"] == ["nats"]
