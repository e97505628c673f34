"""Concurrent writers and the sealer on PostgreSQL (ids committed out of order)."""

from __future__ import annotations

import random
import threading

import pytest

from django.db import connection, connections, transaction

from audit.models import Actie, AuditRecord, AuditSeal, Doel
from audit.sealing import GapTracker, seal_all, seal_once
from audit.services import record
from audit.verify import verify_chain

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")


def _write(**kwargs) -> AuditRecord:
    return record(actor=None, actie=Actie.READ, doel=Doel.INTAKE, object_type="casus", **kwargs)


def _in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_sealer_does_not_seal_past_an_id_still_in_flight():
    _write()
    seal_all()
    inserted, release = threading.Event(), threading.Event()
    held: list[int] = []

    def slow_writer():
        with transaction.atomic():
            held.append(_write().pk)
            inserted.set()
            release.wait(10)

    thread = _in_thread(slow_writer)
    assert inserted.wait(10)
    later = _write()
    assert later.pk > held[0]
    tracker = GapTracker()
    for _ in range(5):  # however often it runs, the open id blocks it
        seal_once(tracker)
    assert AuditSeal.objects.order_by("-last_id").values_list("last_id", flat=True)[0] < held[0]
    release.set()
    thread.join()
    seal_all(tracker=tracker)
    assert AuditSeal.objects.order_by("-last_id")[0].last_id == later.pk
    result = verify_chain()
    assert result.ok, result.problem
    assert result.unsealed == 0


def test_sealer_passes_a_gap_left_by_a_rollback():
    _write()

    class RollbackError(Exception):
        pass

    with pytest.raises(RollbackError), transaction.atomic():
        _write()
        raise RollbackError
    last = _write()
    sealed = seal_all(timeout=20)
    assert sealed == 2
    assert AuditSeal.objects.order_by("-last_id")[0].last_id == last.pk
    assert verify_chain().ok


def test_concurrent_writers_produce_a_verifiable_chain():
    committed: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(seed: int):
        rng = random.Random(seed)
        for _ in range(40):
            try:
                with transaction.atomic():
                    ids = [_write(reden=f"w{seed}").pk for _ in range(rng.randint(1, 3))]
                    if rng.random() < 0.2:
                        raise RuntimeError("rollback")
            except RuntimeError:
                continue
            with lock:
                committed.extend(ids)

    def sealer():
        tracker = GapTracker()
        while not stop.is_set():
            seal_once(tracker)

    sealer_thread = _in_thread(sealer)
    writers = [_in_thread(lambda s=seed: writer(s)) for seed in range(4)]
    for thread in writers:
        thread.join()
    stop.set()
    sealer_thread.join()
    # No writer is left, so every gap is permanent: seal_all returns as soon as the
    # last one is passed (the timeout only bounds a broken sealer).
    seal_all(timeout=120)
    result = verify_chain(workers=2)
    assert result.ok, result.problem
    assert result.unsealed == 0
    assert result.records == len(committed) == AuditRecord.objects.count()
    assert AuditSeal.objects.count() > 1
