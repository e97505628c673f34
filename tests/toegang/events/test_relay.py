from __future__ import annotations

from datetime import timedelta

import pytest

from django.core.management import call_command
from django.utils import timezone

from tests.auth import verified_login
from tests.toegang.events.helpers import PROEF, captured_events, emit_committed
from tests.toegang.events.layers import (
    FailingLayer,
    RecordingLayer,
    RefusingLayer,
    redis_down_layer,
)
from toegang import worker
from toegang.events.claim import claim_batch
from toegang.events.models import OutboxEvent
from toegang.events.relay import Relay
from toegang.roles import Rol


@pytest.fixture(autouse=True, params=["fanout", "groups"])
def delivery(request, settings):
    """Every relay test runs with both deliveries: per-process fan-out and user groups."""
    settings.EVENTS = {"delivery": request.param}
    return request.param


pytestmark = pytest.mark.django_db(transaction=True)


def _due_now():
    OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).update(
        next_attempt_at=timezone.now()
    )


def _by_aggregate(layer):
    order: dict[str, list[int]] = {}
    for _, message in layer.sent:
        ids = order.setdefault(message["aggregate_id"], [])
        if message["event_id"] not in ids:
            ids.append(message["event_id"])
    return order


def test_relay_sends_to_the_groups_of_the_recipients_only(make_user, proef_access):
    mag, ook, niet = make_user(Rol.CONSULENT), make_user(Rol.CONSULENT), make_user(Rol.CONSULENT)
    proef_access.grant("p1", mag, ook)
    event = emit_committed(aggregate_id="p1", version=7)
    layer = RecordingLayer()
    relay = Relay(layer=layer)
    assert relay.run_once() == 1
    relay.close()
    assert sorted(group for group, _ in layer.sent) == sorted([f"user.{mag.pk}", f"user.{ook.pk}"])
    assert f"user.{niet.pk}" not in {group for group, _ in layer.sent}
    assert layer.sent[0][1] == {
        "type": "domain.event",
        "event_type": "proef.gewijzigd",
        "aggregate_type": PROEF,
        "aggregate_id": "p1",
        "version": 7,
        "event_id": event.pk,
    }
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.DELIVERED and event.delivered_at is not None


def test_inactive_users_get_nothing(make_user, proef_access):
    user = make_user(Rol.CONSULENT, is_active=False)
    proef_access.grant("p1", user)
    emit_committed(aggregate_id="p1")
    layer = RecordingLayer()
    Relay(layer=layer).run_once()
    assert layer.sent == []
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.DELIVERED


def test_an_aggregate_event_never_overtakes_its_predecessor(make_user, proef_access):
    user = make_user(Rol.CONSULENT)
    proef_access.grant("x", user)
    proef_access.grant("y", user)
    x1 = emit_committed(aggregate_id="x", version=1)
    y1 = emit_committed(aggregate_id="y", version=1)
    x2 = emit_committed(aggregate_id="x", version=2)
    x3 = emit_committed(aggregate_id="x", version=3)
    y2 = emit_committed(aggregate_id="y", version=2)
    layer = FailingLayer(fail_once={x1.pk})
    relay = Relay(layer=layer)

    relay.run_once()  # x1 fails: x2 and x3 wait behind it, y goes on
    assert _by_aggregate(layer) == {"y": [y1.pk, y2.pk]}
    assert relay.run_once() == 0  # x1 is backing off; x2 may not jump ahead
    _due_now()
    relay.run_once()
    relay.close()
    assert _by_aggregate(layer) == {"y": [y1.pk, y2.pk], "x": [x1.pk, x2.pk, x3.pk]}
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {"delivered"}


def test_fanout_sends_a_rounds_events_in_one_message_in_commit_order(
    make_user, proef_access, delivery
):
    first, second = make_user(Rol.CONSULENT), make_user(Rol.CONSULENT)
    proef_access.grant("a", first)
    proef_access.grant("b", first, second)
    emitted = [emit_committed(aggregate_id=aid, version=v) for v, aid in enumerate("abab")]
    layer = RecordingLayer()
    relay = Relay(layer=layer)
    assert relay.run_once() == 4
    relay.close()
    if delivery == "fanout":
        assert len(layer.messages) == 1
        assert [e["event_id"] for e in layer.messages[0][1]["events"]] == [e.pk for e in emitted]
    else:
        assert len(layer.messages) == 6  # one per recipient per event
    assert _by_aggregate(layer) == {
        "a": [emitted[0].pk, emitted[2].pk],
        "b": [emitted[1].pk, emitted[3].pk],
    }


def test_send_failures_back_off_exponentially_then_dead_letter(make_user, proef_access):
    proef_access.grant("p1", make_user(Rol.CONSULENT))
    event = emit_committed(aggregate_id="p1")
    relay = Relay(layer=RefusingLayer(), max_attempts=3, backoff_base=10.0, send_timeout=2.0)
    delays = []
    for attempt in (1, 2):
        before = timezone.now()
        relay.run_once()
        event.refresh_from_db()
        assert event.status == OutboxEvent.Status.PENDING
        assert event.attempts == attempt
        assert event.last_error.startswith("send: ")
        delays.append((event.next_attempt_at - before).total_seconds())
        assert relay.run_once() == 0  # not due yet
        _due_now()
    assert 8 <= delays[0] <= 12.5 and 16 <= delays[1] <= 24.5  # 10 s, then 20 s (±20 %)
    relay.run_once()
    relay.close()
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.DEAD
    assert event.attempts == 3


def test_rows_wait_while_redis_is_down_and_go_out_once_it_is_back(make_user, proef_access):
    user = make_user(Rol.CONSULENT)
    proef_access.grant("p1", user)
    emitted = [emit_committed(aggregate_id="p1", version=v) for v in range(1, 4)]
    down = Relay(layer=redis_down_layer(), send_timeout=2.0, max_attempts=1)
    for _ in range(3):
        down.outage._next_probe = 0.0  # each round probes at once
        assert down.run_once() == 0
    down.close()
    # An outage is not the events' fault: no attempt counted, nothing dead-lettered,
    # nothing held back by a back-off or a lease.
    assert (
        list(OutboxEvent.objects.values_list("status", "attempts", "claimed_by"))
        == [("pending", 0, "")] * 3
    )
    assert not OutboxEvent.objects.filter(next_attempt_at__gt=timezone.now()).exists()
    layer = RecordingLayer()
    back = Relay(layer=layer)
    back.run_once()
    back.close()
    assert layer.event_ids() == [e.pk for e in emitted]


def test_a_relay_whose_round_failed_reclaims_its_own_rows_at_once(make_user, proef_access):
    proef_access.grant("p1", make_user(Rol.CONSULENT))
    emitted = [emit_committed(aggregate_id="p1", version=v) for v in (1, 2)]
    # A round claimed these, then the database went away before it could release them.
    claim_batch(owner="zelf", batch_size=10, lease=timedelta(seconds=30))
    layer = RecordingLayer()
    relay = Relay(layer=layer, owner="zelf")
    assert relay.run_once() == 2  # its own claims do not wait for the lease
    relay.close()
    assert layer.event_ids() == [e.pk for e in emitted]


def test_a_round_that_fails_releases_its_claims_at_once(make_user, proef_access, monkeypatch):
    proef_access.grant("p1", make_user(Rol.CONSULENT))
    emit_committed(aggregate_id="p1")
    relay = Relay(layer=RecordingLayer(), owner="faalt")

    def lost_database(outcome):
        raise ConnectionError("the database connection was terminated")

    monkeypatch.setattr(relay, "_finish", lost_database)
    with pytest.raises(ConnectionError):
        relay.run_once()
    relay.close()
    # Another relay may take the row now, not after the lease.
    assert list(OutboxEvent.objects.values_list("claimed_by", "claimed_until")) == [("", None)]
    successor = Relay(layer=RecordingLayer(), owner="ander")
    assert successor.run_once() == 1
    successor.close()


def test_a_relay_killed_mid_batch_leaves_its_rows_to_the_next(make_user, proef_access):
    proef_access.grant("p1", make_user(Rol.CONSULENT))
    emitted = [emit_committed(aggregate_id=f"p{i % 3}", version=i) for i in range(6)]
    claimed = claim_batch(owner="crashed", batch_size=4, lease=timedelta(seconds=30))
    assert len(claimed) == 4  # ... and then the process died
    layer = RecordingLayer()
    successor = Relay(layer=layer, owner="successor")
    successor.run_once()
    # Only the rows of aggregates the crashed relay did not hold may go.
    held = {row.aggregate_id for row in claimed}
    assert all(m["aggregate_id"] not in held for _, m in layer.sent)
    OutboxEvent.objects.filter(claimed_by="crashed").update(claimed_until=timezone.now())
    while successor.run_once():
        pass
    successor.close()
    assert not OutboxEvent.objects.exclude(status=OutboxEvent.Status.DELIVERED).exists()
    assert {e.pk for e in emitted} == {
        m.pk for m in OutboxEvent.objects.filter(status=OutboxEvent.Status.DELIVERED)
    }


def test_a_failing_recipient_resolver_holds_back_only_its_aggregate(make_user, proef_access):
    user = make_user(Rol.CONSULENT)
    proef_access.grant("goed", user)
    proef_access.grants["fout"] = None  # the resolver will raise for this one
    bad = emit_committed(aggregate_id="fout")
    later = emit_committed(aggregate_id="fout", version=2)
    good = emit_committed(aggregate_id="goed")
    layer = RecordingLayer()
    Relay(layer=layer).run_once()
    assert layer.event_ids() == [good.pk]
    bad.refresh_from_db()
    later.refresh_from_db()
    assert (bad.status, bad.attempts, bad.last_error) == ("pending", 1, "recipients: TypeError")
    assert (later.status, later.attempts, later.claimed_by) == ("pending", 0, "")


def test_replay_from_the_admin_sends_a_dead_event_again(make_user, proef_access, client):
    user = make_user(Rol.CONSULENT)
    proef_access.grant("p1", user)
    event = emit_committed(aggregate_id="p1")
    Relay(layer=RefusingLayer(), max_attempts=1, send_timeout=2.0).run_once()
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.DEAD
    beheerder = make_user(Rol.BEHEERDER, is_staff=True)
    verified_login(client, beheerder)
    listing = client.get("/beheer/events/outboxevent/?status=dead")
    assert listing.status_code == 200
    assert f'_selected_action" value="{event.pk}"' in listing.content.decode()
    response = client.post(
        "/beheer/events/outboxevent/",
        {"action": "replay", "_selected_action": [event.pk]},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("pending", 0)
    layer = RecordingLayer()
    Relay(layer=layer).run_once()
    assert layer.event_ids() == [event.pk]
    from audit.models import AuditRecord

    assert AuditRecord.objects.filter(object_type="outbox_event", user_id=beheerder.pk).exists()


def test_outbox_admin_is_read_only_and_closed_to_others(make_user, client):
    emit_committed()
    event = OutboxEvent.objects.get()
    verified_login(client, make_user(Rol.BEHEERDER, is_staff=True))
    assert client.get(f"/beheer/events/outboxevent/{event.pk}/change/").status_code == 200
    response = client.post(f"/beheer/events/outboxevent/{event.pk}/change/", {"status": "dead"})
    assert response.status_code == 403
    assert client.get("/beheer/events/outboxevent/add/").status_code == 403
    verified_login(client, make_user(Rol.CONSULENT, is_staff=True))
    assert client.get("/beheer/events/outboxevent/").status_code == 403


def test_relay_command_once_delivers_what_waits(make_user, proef_access):
    proef_access.grant("p1", make_user(Rol.CONSULENT))
    with captured_events() as rows:
        emit_committed(aggregate_id="p1")
        emit_committed(aggregate_id="p2")
    call_command("relay", "--once")
    assert {r.status for r in OutboxEvent.objects.filter(pk__in=[r.pk for r in rows])} == {
        "delivered"
    }


def test_the_relay_runs_as_a_worker_job(make_user, proef_access):
    assert {"relay", "webhooks", "outbox_prune"} <= {job.name for job in worker.jobs()}
    emit_committed()
    job = next(job for job in worker.jobs() if job.name == "relay")
    assert job.run() == 1
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.DELIVERED


def test_prune_keeps_old_delivered_events_the_monitor_has_not_projected(proef_access):
    old = emit_committed(aggregate_id="oud")
    Relay(layer=RecordingLayer()).run_once()
    OutboxEvent.objects.filter(pk=old.pk).update(delivered_at=timezone.now() - timedelta(days=30))
    from toegang.events.outbox import outbox_prune

    assert outbox_prune() == 0
    OutboxEvent.objects.filter(pk=old.pk).update(projected_at=timezone.now())
    assert outbox_prune() == 1


def test_prune_removes_old_delivered_events_only(proef_access):
    old = emit_committed(aggregate_id="oud")
    emit_committed(aggregate_id="nieuw")
    Relay(layer=RecordingLayer()).run_once()
    OutboxEvent.objects.update(projected_at=timezone.now())  # the monitor has them
    waiting = emit_committed(aggregate_id="wacht")
    OutboxEvent.objects.filter(pk=old.pk).update(delivered_at=timezone.now() - timedelta(days=30))
    from toegang.events.outbox import outbox_prune

    assert outbox_prune() == 1
    assert not OutboxEvent.objects.filter(pk=old.pk).exists()
    assert OutboxEvent.objects.filter(pk=waiting.pk, status="pending").exists()
