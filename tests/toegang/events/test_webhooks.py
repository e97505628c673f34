"""Webhooks: signed deliveries a partner can verify, own organisation only, retries, log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from tests.toegang.events.helpers import emit_committed
from tests.toegang.events.layers import RecordingLayer
from tests.toegang.factories import OrganisatieFactory
from toegang.events import webhooks
from toegang.events.models import WebhookAbonnement, WebhookAflevering
from toegang.events.relay import Relay
from toegang.roles import Rol

pytestmark = pytest.mark.django_db(transaction=True)


class PartnerEndpoint:
    """A partner's HTTP endpoint on loopback that records what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], str]] = []
        self.status = 200
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                endpoint.received.append((dict(self.headers), body))
                self.send_response(endpoint.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/terugkoppeling"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[PartnerEndpoint]:
    server = PartnerEndpoint()
    yield server
    server.close()


@pytest.fixture
def partner(db):
    return OrganisatieFactory(naam="Inloophuis De Schakel")


def _subscribe(organisatie, url, by):
    return webhooks.webhook_abonnement_create(
        organisatie=organisatie, url=url, event_types=["proef.status_gewijzigd"], by=by
    )


def _status_event(organisatie, status="opgepakt", aggregate_id="s1"):
    return emit_committed(
        "proef.status_gewijzigd",
        aggregate_id=aggregate_id,
        data={"status": status, "organisatie_id": organisatie.pk},
    )


def test_a_delivery_is_signed_and_the_partner_can_verify_it(
    endpoint, partner, make_user, proef_access
):
    issued = _subscribe(partner, endpoint.url, make_user(Rol.BEHEERDER))
    event = _status_event(partner)
    Relay(layer=RecordingLayer()).run_once()
    assert webhooks.deliver_due() == 1

    [(headers, body)] = endpoint.received
    timestamp = int(headers["X-Timestamp"])
    assert headers["X-Signature"].startswith("sha256=")
    assert webhooks.verify(issued.secret, timestamp, body, headers["X-Signature"])
    assert not webhooks.verify(
        issued.secret, timestamp, body.replace("opgepakt", "x"), headers["X-Signature"]
    )
    assert not webhooks.verify("whsec_fout", timestamp, body, headers["X-Signature"])
    assert headers["X-Event-Id"] == str(event.event_id)
    payload = json.loads(body)
    assert payload["data"] == {"status": "opgepakt", "organisatie_id": str(partner.pk)}
    assert payload["sequence"] == event.pk and payload["aggregate_id"] == "s1"

    log = WebhookAflevering.objects.get()
    assert (log.status, log.attempts, log.response_status) == ("delivered", 1, 200)


def test_a_partner_gets_only_its_own_organisations_events(
    endpoint, partner, make_user, proef_access
):
    ander = OrganisatieFactory(naam="Huisartsenpraktijk Oost")
    _subscribe(partner, endpoint.url, make_user(Rol.BEHEERDER))
    _status_event(ander)
    emit_committed("proef.gewijzigd", aggregate_id="s1")  # no webhook filter: never sent
    Relay(layer=RecordingLayer()).run_once()
    assert webhooks.deliver_due() == 0
    assert endpoint.received == []
    assert not WebhookAflevering.objects.exists()


def test_a_failing_endpoint_is_retried_with_backoff_then_given_up(
    endpoint, partner, make_user, proef_access, monkeypatch
):
    _subscribe(partner, endpoint.url, make_user(Rol.BEHEERDER))
    _status_event(partner)
    Relay(layer=RecordingLayer()).run_once()
    endpoint.status = 503
    before = timezone.now()
    webhooks.deliver_due()
    log = WebhookAflevering.objects.get()
    assert (log.status, log.attempts, log.response_status) == ("pending", 1, 503)
    assert log.next_attempt_at > before
    assert webhooks.deliver_due() == 0  # not due yet

    monkeypatch.setattr(webhooks, "MAX_ATTEMPTS", 2)
    WebhookAflevering.objects.update(next_attempt_at=timezone.now())
    webhooks.deliver_due()
    log.refresh_from_db()
    assert (log.status, log.attempts, log.last_error) == ("failed", 2, "HTTP 503")
    assert len(endpoint.received) == 2

    endpoint.status = 200
    webhooks.webhook_aflevering_retry(afleveringen=[log])
    webhooks.deliver_due()
    log.refresh_from_db()
    assert log.status == "delivered"


def test_the_secret_is_sealed_at_rest_and_bound_to_its_row(partner, make_user, proef_access):
    issued = _subscribe(partner, "https://partner.example/hook", make_user(Rol.BEHEERDER))
    stored = WebhookAbonnement.objects.get()
    assert issued.secret.encode() not in bytes(stored.secret_sealed)
    from toegang.events.secrets import unseal

    assert unseal(stored.secret_sealed, bound_to=str(stored.pk)) == issued.secret
    with pytest.raises(Exception):  # noqa: B017 (any AEAD failure)
        unseal(stored.secret_sealed, bound_to="another-row")


def test_subscriptions_need_https_and_a_filtered_event_type(partner, make_user, proef_access):
    beheerder = make_user(Rol.BEHEERDER)
    with override_settings(DEMO_MODE=False), pytest.raises(ValidationError):
        _subscribe(partner, "http://127.0.0.1:9/hook", beheerder)
    with pytest.raises(ValidationError):
        _subscribe(partner, "ftp://partner.example/hook", beheerder)
    with pytest.raises(ValidationError):
        webhooks.webhook_abonnement_create(
            organisatie=partner,
            url="https://partner.example/hook",
            event_types=["casus.geopend"],
            by=beheerder,
        )


@pytest.mark.django_db(transaction=True)
def test_a_metings_scores_never_leave_the_platform():
    """Webhook and NATS bodies omit the scores the monitor's projection reads from the row."""
    import uuid

    scores = {"lichaamsfuncties": 4, "mentaal_welbevinden": 6, "meedoen": 7}
    event = emit_committed(
        "plan.bijgewerkt",
        aggregate_id=str(uuid.uuid4()),
        data={
            "plan_id": None,
            "onderdeel": "meting",
            "object_id": "m1",
            "meting_soort": "start",
            "datum": "2026-11-30",
            **scores,
        },
    )
    assert event.payload["meedoen"] == 7  # stored for the projection
    sent = json.loads(webhooks.event_body(event))["data"]
    assert sent["onderdeel"] == "meting" and sent["meting_soort"] == "start"
    assert not set(scores) & set(sent)
