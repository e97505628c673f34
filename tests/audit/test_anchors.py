"""Anchors outside the database: an append-only file and a JetStream stream without delete."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from datetime import timedelta
from io import StringIO

import pytest

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from audit import anchors
from audit.models import AuditRecord, AuditSeal
from audit.sealing import seal_all
from audit.verify import verify_chain
from tests.audit.tamper import raw, triggers_off

NATS_URL = "nats://127.0.0.1:4222"
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)


@pytest.fixture
def anchor_file(settings, tmp_path):
    path = tmp_path / "audit-ankers.jsonl"
    settings.AUDIT_ANCHOR_STORE = f"file:{path}"
    return path


@pytest.fixture
def nats_stream(settings):
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=0.5):
            pass
    except OSError:
        pytest.skip("NATS is not running on 127.0.0.1:4222")
    nats = pytest.importorskip("nats")
    name = f"AUDIT_ANKERS_TEST_{uuid.uuid4().hex[:10].upper()}"
    settings.AUDIT_ANCHOR_STORE = f"{NATS_URL}/{name}"
    yield name

    async def drop() -> None:
        nc = await nats.connect(NATS_URL)
        try:
            await nc.jetstream().delete_stream(name)
        except Exception:  # noqa: S110  (the test may never have created it)
            pass
        finally:
            await nc.close()

    asyncio.run(drop())


@pytest.fixture
def sealed(make_records):
    with override_settings(AUDIT_SEAL_BATCH=4):
        records = make_records(12)
        seal_all()
    assert AuditSeal.objects.count() == 3
    return records


def _verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def _cut_tail(records) -> None:
    """Remove the last seal and its records: what is left is a consistent chain."""
    last = AuditSeal.objects.order_by("-last_id")[0]
    with triggers_off():
        raw("DELETE FROM audit_auditrecord WHERE id > %s", [records[7].pk])
        raw("DELETE FROM audit_auditseal WHERE id = %s", [last.pk])
    assert verify_chain().ok


def test_publish_appends_the_head_once_per_new_seal(sealed, anchor_file, make_records):
    assert anchors.publish() == 1
    assert anchors.publish() == 0  # the head did not move
    make_records(2)
    seal_all()
    assert anchors.publish() == 1
    lines = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    seals = AuditSeal.objects.order_by("last_id")
    assert [line["seal_id"] for line in lines] == [seals[2].pk, seals.last().pk]
    assert lines[-1]["records"] == AuditRecord.objects.count() == 14
    assert lines[-1]["seal_hash"] == seals.last().seal_hash


def test_the_worker_job_anchors_on_its_schedule(sealed, anchor_file):
    from toegang import worker

    job = {j.name: j for j in worker.jobs()}["audit_anchor"]
    job.run()
    assert json.loads(anchor_file.read_text())["seal_id"] == AuditSeal.objects.last().pk


def test_verify_checks_anchors_by_default_and_says_how_far_the_proof_reaches(sealed, anchor_file):
    anchors.publish()
    out = _verify()
    assert "1 anker(s) in 1 opslag(en) kloppen" in out
    assert f"reikt tot en met auditregel {sealed[-1].pk}" in out


def test_a_cut_off_tail_below_the_last_anchor_is_detected(sealed, anchor_file):
    anchors.publish()
    _cut_tail(sealed)
    with pytest.raises(CommandError, match="de keten is ingekort"):
        _verify()


def test_a_cut_off_tail_hidden_by_new_records_is_detected(sealed, anchor_file, make_records):
    anchors.publish()
    _cut_tail(sealed)
    make_records(5)
    seal_all()
    assert verify_chain().ok
    with pytest.raises(CommandError, match=r"verankerde zegel .* ontbreekt of wijkt af"):
        _verify()


def test_a_tampered_anchor_file_is_a_clear_failure(sealed, anchor_file):
    anchors.publish()
    with anchor_file.open("a") as handle:
        handle.write("{dit is geen anker\n")
    with pytest.raises(CommandError, match="ankerbestand regel 2 is geen geldig anker"):
        _verify()


def test_an_anchor_file_with_a_changed_hash_fails(sealed, anchor_file):
    anchors.publish()
    line = json.loads(anchor_file.read_text())
    line["seal_hash"] = "f" * 64
    anchor_file.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="ontbreekt of wijkt af"):
        _verify()


def test_without_a_store_verify_warns_instead_of_passing_silently(sealed, settings):
    settings.AUDIT_ANCHOR_STORE = ""
    assert "Geen ankers gecontroleerd" in _verify()


def test_an_unknown_store_and_an_unreachable_store_are_named(sealed, settings):
    settings.AUDIT_ANCHOR_STORE = "s3:bucket"
    with pytest.raises(CommandError, match="onbekende ankeropslag s3:bucket"):
        _verify()
    settings.AUDIT_ANCHOR_STORE = "nats://127.0.0.1:1/AUDIT_ANKERS"
    with pytest.raises(CommandError, match="onbereikbaar"):
        _verify()


def test_export_seals_publish_writes_an_anchor(sealed, anchor_file):
    call_command("audit_export_seals", publish=True, stdout=StringIO(), stderr=StringIO())
    assert json.loads(anchor_file.read_text())["last_id"] == sealed[-1].pk


def test_healthz_reports_anchoring(client, sealed, anchor_file, settings):
    anchors.publish()
    body = client.get("/healthz").json()
    assert body["audit_verankering"] == {"ok": True, "stores": 1, "verankerd_tot": sealed[-1].pk}
    settings.AUDIT_ANCHOR_STORE = "nats://127.0.0.1:1/AUDIT_ANKERS"
    body = client.get("/healthz").json()
    assert body["status"] == "beperkt" and "audit_verankering" in body["beperkt"]
    assert "onbereikbaar" in body["audit_verankering"]["detail"]


def test_healthz_reports_anchors_falling_behind(
    client, sealed, anchor_file, settings, make_records
):
    anchors.publish()
    anchored = AuditSeal.objects.order_by("-last_id")[0].last_id
    make_records(2)
    seal_all()
    settings.AUDIT_ANCHOR_INTERVAL = 0
    with triggers_off():  # seals from an hour ago that no anchor covers
        raw(
            "UPDATE audit_auditseal SET sealed_at = %s WHERE last_id > %s",
            [timezone.now() - timedelta(hours=1), anchored],
        )
    body = client.get("/healthz").json()
    assert body["status"] == "beperkt" and "audit_verankering" in body["beperkt"]
    assert "nog niet verankerd" in body["audit_verankering"]["detail"]


def test_nats_stream_refuses_delete_and_purge_and_catches_a_cut_tail(sealed, nats_stream):
    import nats

    anchors.publish()
    assert "1 anker(s) in 1 opslag(en) kloppen" in _verify()

    async def attack() -> tuple[bool, bool, bool, bool]:
        nc = await nats.connect(NATS_URL)
        try:
            js = nc.jetstream()
            info = await js.stream_info(nats_stream)
            results = []
            for action in (
                lambda: js.delete_msg(nats_stream, 1),
                lambda: js.purge_stream(nats_stream),
            ):
                try:
                    await action()
                    results.append(True)
                except Exception:
                    results.append(False)
            after = await js.stream_info(nats_stream)
            return (
                info.config.deny_delete,
                info.config.deny_purge,
                any(results),
                after.state.messages == 1,
            )
        finally:
            await nc.close()

    deny_delete, deny_purge, removed, kept = asyncio.run(attack())
    assert (deny_delete, deny_purge, removed, kept) == (True, True, False, True)
    _cut_tail(sealed)
    with pytest.raises(CommandError, match="de keten is ingekort"):
        _verify()


def test_a_nats_stream_that_allows_delete_is_not_trusted(sealed, nats_stream):
    import nats
    from nats.js.api import StreamConfig

    async def create_open_stream() -> None:
        nc = await nats.connect(NATS_URL)
        try:
            await nc.jetstream().add_stream(
                StreamConfig(name=nats_stream, subjects=[f"audit.anker.{nats_stream.lower()}"])
            )
        finally:
            await nc.close()

    asyncio.run(create_open_stream())
    with pytest.raises(CommandError, match="staat verwijderen of legen toe"):
        _verify()
