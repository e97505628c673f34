"""``toegang.inserts.insert`` stores what ``save(force_insert=True)`` stores.

On PostgreSQL from SQL built once per model, as a prepared statement; elsewhere, and
where ``save`` could do more (receivers, an own ``save``), it is ``save``.
"""

from __future__ import annotations

from datetime import date

import pytest

from django.db import connection
from django.db.models.signals import post_save
from django.forms.models import model_to_dict

from casussen.models import Gezinslid, Huishouden
from casussen.services.huishouden import huishouden_new
from toegang.crypto.datakeys import data_key_create
from toegang.crypto.models import DataKey
from toegang.events.models import OutboxEvent
from toegang.inserts import _plans, insert

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"


def _lid(huishouden: Huishouden, achternaam: str) -> Gezinslid:
    return Gezinslid(
        huishouden=huishouden,
        voornaam="Ans",
        achternaam=achternaam,
        geboortedatum=date(1961, 4, 2),
        bsn="111222333",
        postcode="3881AB",
        huisnummer="3",
    )


def _stored(model, pk) -> dict:
    row = model.objects.get(pk=pk)
    return {
        name: value
        for name, value in model_to_dict(row).items()
        if name not in ("id", "event_id", "achternaam")
    }


def test_a_sealed_row_reads_back_as_saved_with_the_same_blind_indexes():
    huishouden = huishouden_new()
    fast = insert(_lid(huishouden, "Jansen"))
    slow = _lid(huishouden, "Jansen")
    slow.save(force_insert=True)

    assert not fast._state.adding and fast._state.db == "default"
    assert _stored(Gezinslid, fast.pk) == _stored(Gezinslid, slow.pk)
    again = Gezinslid.objects.get(pk=fast.pk)
    assert (again.achternaam, again.bsn, again.postcode) == ("Jansen", "111222333", "3881AB")
    assert again.bsn_index and again.bsn_index == Gezinslid.objects.get(pk=slow.pk).bsn_index
    assert (Gezinslid, True, "default") in _plans or not ON_POSTGRES


def _event() -> OutboxEvent:
    return OutboxEvent(
        event_type="proef.gebeurd",
        schema_version=1,
        aggregate_type="proef",
        aggregate_id="a1",
        aggregate_version=1,
        payload={"x": "y"},
    )


def test_an_auto_primary_key_comes_back_and_defaults_are_applied():
    event = insert(_event())
    assert event.pk is not None
    stored = OutboxEvent.objects.get(pk=event.pk)
    assert stored.event_id == event.event_id and stored.payload == {"x": "y"}
    assert stored.status == OutboxEvent.Status.PENDING and stored.created_at == event.created_at


def test_auto_now_add_is_set_as_save_sets_it():
    key = data_key_create()
    assert key.created_at is not None
    assert DataKey.objects.get(pk=key.pk).created_at == key.created_at


def test_with_a_post_save_receiver_it_is_save():
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    post_save.connect(receiver, sender=Huishouden, dispatch_uid="test-inserts")
    try:
        huishouden = insert(Huishouden(data_key=data_key_create()))
    finally:
        post_save.disconnect(receiver, sender=Huishouden, dispatch_uid="test-inserts")
    assert seen == [(huishouden.pk, True)]
    assert Huishouden.objects.filter(pk=huishouden.pk).exists()


def test_the_intake_rows_take_one_statement_each(django_assert_num_queries):
    huishouden = huishouden_new()
    with django_assert_num_queries(1):
        insert(_lid(huishouden, "Bakker"))


def test_without_prepared_statements_the_same_row_is_stored(settings):
    settings.PREPARED_STATEMENTS = False
    huishouden = huishouden_new()
    lid = insert(_lid(huishouden, "Visser"))
    assert Gezinslid.objects.get(pk=lid.pk).achternaam == "Visser"


postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="batched: PostgreSQL only")


@postgres_only
def test_batched_rows_wait_for_the_next_statement_and_go_as_one():
    from django.db import transaction

    from toegang.inserts import batched

    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql.split(None, 1)[0])
        return execute(sql, params, many, context)

    slow_huishouden = huishouden_new()
    slow = _lid(slow_huishouden, "Jansen")
    slow.save(force_insert=True)
    with transaction.atomic(), connection.execute_wrapper(record), batched():
        huishouden = insert(Huishouden(data_key=data_key_create()))
        lid = insert(_lid(huishouden, "Jansen"))
        assert sent == []  # held back
        assert not lid._state.adding and lid.created_at is not None
        again = Gezinslid.objects.get(pk=lid.pk)  # the rows go first: the query sees them
        assert sorted(sent) == ["SELECT", "WITH"]  # three rows, one statement
    assert (again.achternaam, again.huishouden_id) == ("Jansen", huishouden.pk)
    expected = {**_stored(Gezinslid, slow.pk), "huishouden": huishouden.pk}
    assert _stored(Gezinslid, lid.pk) == expected
    assert DataKey.objects.filter(pk=huishouden.data_key_id).exists()


@postgres_only
def test_batched_rows_still_waiting_at_the_end_of_the_block_are_sent():
    from django.db import transaction

    from toegang.inserts import batched

    with transaction.atomic(), batched():
        key = data_key_create()
    assert DataKey.objects.filter(pk=key.pk).exists()


@postgres_only
def test_a_batched_rows_error_comes_from_the_statement_that_sends_it():
    from django.db import IntegrityError, transaction

    from toegang.inserts import batched

    taken = data_key_create()
    twin = DataKey(pk=taken.pk, wrapped=taken.wrapped, kek_version=taken.kek_version)
    held = []
    with pytest.raises(IntegrityError), transaction.atomic(), batched():
        held.append(insert(twin))  # held back: no error yet
        DataKey.objects.count()
    assert held == [twin]


@postgres_only
def test_batched_rows_are_dropped_when_the_block_raises():
    from django.db import transaction

    from toegang.inserts import batched

    with pytest.raises(RuntimeError), transaction.atomic(), batched():
        key = data_key_create()
        raise RuntimeError
    assert not DataKey.objects.filter(pk=key.pk).exists()


@postgres_only
def test_a_row_with_a_returned_key_takes_the_held_back_rows_along():
    from django.db import transaction

    from toegang.inserts import batched

    sent: list[tuple[str, int]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql.split(None, 1)[0], len(params)))
        return execute(sql, params, many, context)

    huishouden = huishouden_new()
    with transaction.atomic(), connection.execute_wrapper(record), batched():
        lid = insert(_lid(huishouden, "Aa"))
        key = data_key_create()
        event = insert(_event())
        assert sent == [("WITH", 16 + 5 + 17)]
    assert event.pk is not None and not event._state.adding
    stored = OutboxEvent.objects.get(pk=event.pk)
    assert (stored.event_id, stored.payload) == (event.event_id, {"x": "y"})
    assert DataKey.objects.filter(pk=key.pk).exists()
    assert Gezinslid.objects.get(pk=lid.pk).achternaam == "Aa"
