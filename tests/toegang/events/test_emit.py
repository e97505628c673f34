from __future__ import annotations

import uuid

import pytest

from django.db import connection, transaction

from tests.toegang.events.helpers import PROEF, captured_events, emit_committed
from toegang import events
from toegang.events.models import OutboxEvent


def _emit(**kwargs):
    defaults = {"aggregate_type": PROEF, "aggregate_id": "p1", "version": 3}
    return events.emit("proef.gewijzigd", **{**defaults, **kwargs})


def test_emit_inside_a_transaction_writes_the_row(db):
    object_id = uuid.uuid4()
    with captured_events() as rows, transaction.atomic():
        _emit(data={"onderdeel": "tijdlijn", "object_id": object_id})
    assert len(rows) == 1
    row = rows[0]
    assert (row.event_type, row.aggregate_type, row.aggregate_id) == (
        "proef.gewijzigd",
        PROEF,
        "p1",
    )
    assert row.aggregate_version == 3
    assert row.payload == {"onderdeel": "tijdlijn", "object_id": str(object_id)}
    assert row.status == OutboxEvent.Status.PENDING
    assert row.attempts == 0
    assert isinstance(row.event_id, uuid.UUID)
    assert row.schema_version == 1


def test_a_rollback_writes_nothing(db):
    with captured_events() as rows, pytest.raises(RuntimeError), transaction.atomic():
        _emit()
        raise RuntimeError("the service failed after emitting")
    assert rows == []
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_raises():
    assert not connection.in_atomic_block
    with pytest.raises(events.EmitOutsideTransactionError):
        _emit()
    assert not OutboxEvent.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"naam": "Jan"}, "unknown payload key 'naam'"),
        ({"onderdeel": "Jan de Vries woont op de Dorpsstraat"}, "must hold an id"),
        ({"onderdeel": {"bsn": "123456782"}}, "must hold an id"),
        ({"onderdeel": 1.5}, "must hold an id"),
    ],
)
def test_personal_data_cannot_slip_into_the_payload(db, data, message):
    with (
        pytest.raises(events.InvalidEventPayloadError, match=message) as raised,
        transaction.atomic(),
    ):
        _emit(data=data)
    assert "Jan" not in str(raised.value) and "123456782" not in str(raised.value)
    assert not OutboxEvent.objects.exists()


def test_unknown_event_type_and_wrong_aggregate_type_raise(db):
    with pytest.raises(events.UnknownEventTypeError), transaction.atomic():
        events.emit("proef.bestaat_niet", aggregate_type=PROEF, aggregate_id="p1", version=1)
    with pytest.raises(events.InvalidEventPayloadError), transaction.atomic():
        events.emit("proef.gewijzigd", aggregate_type="casus", aggregate_id="p1", version=1)
    with pytest.raises(events.InvalidEventPayloadError), transaction.atomic():
        _emit(aggregate_id="Jan de Vries")


def test_sequence_ids_increase(db):
    first = emit_committed()
    second = emit_committed(aggregate_id="p2")
    assert second.pk > first.pk


def test_catalogue_holds_the_platform_events():
    expected = {
        "signaal.ontvangen": "signaal",
        "signaal.status_gewijzigd": "signaal",
        "casus.geopend": "casus",
        "casus.aanspreekpunt_gewijzigd": "casus",
        "casus.bijgewerkt": "casus",
        "betrokkene.toegevoegd": "casus",
        "betrokkene.verlopen": "casus",
        "noodtoegang.gestart": "casus",
        "plan.bijgewerkt": "casus",
        "huishouden.vernietigd": "huishouden",
    }
    defined = {t.name: t.aggregate_type for t in events.event_types()}
    for name, aggregate_type in expected.items():
        assert defined[name] == aggregate_type


def test_a_changed_definition_needs_a_higher_version():
    with pytest.raises(ValueError, match="higher version"):
        events.define("proef.gewijzigd", aggregate_type=PROEF, keys={"iets_anders"})


def test_captured_events_catches_a_service_that_forgets_its_event(db):
    def service_that_forgets():
        with transaction.atomic():
            OutboxEvent.objects.none()  # changes state, emits nothing

    with captured_events() as rows:
        service_that_forgets()
    assert rows == []  # an app's test asserting its event would fail here
    with captured_events(event_type="proef.gewijzigd") as rows:
        emit_committed()
        emit_committed("proef.status_gewijzigd", data={"status": "opgepakt"})
    assert [r.event_type for r in rows] == ["proef.gewijzigd"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_commit_wakes_a_listening_relay_and_rollback_does_not():
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL")
    from toegang.events.listen import Waiter

    waiter = Waiter()
    try:
        assert waiter.wait(0.05) is False  # LISTENing now, nothing pending
        with pytest.raises(RuntimeError), transaction.atomic():
            _emit()
            raise RuntimeError("rolled back")
        assert waiter.wait(0.3) is False
        emit_committed()
        assert waiter.wait(5) is True
    finally:
        waiter.close()
