"""The shred ledger: mirrored outside the database, re-applied by restore_check, guards startup."""

from __future__ import annotations

import pytest

from django.core.management import CommandError, call_command

from audit import shred_ledger
from casussen.models import Gezinslid, Huishouden
from casussen.services.retention import destroy_household
from tests.casussen.factories import make_huishouden
from toegang.crypto.models import DataKey


@pytest.fixture
def ledger(settings, tmp_path):
    settings.SHRED_LEDGER_STORE = f"file:{tmp_path / 'vernietigingen.jsonl'}"
    return tmp_path / "vernietigingen.jsonl"


def _restored(huishouden: Huishouden) -> None:
    """Write the ledger line a shredding made before the backup we pretend to restore."""
    entry = shred_ledger.Entry(
        huishouden_id=str(huishouden.pk),
        data_key_id=str(huishouden.data_key_id),
        vernietigd_op="2026-01-01T00:00:00+00:00",
        record_id=1,
    )
    shred_ledger.stores()[0].append([entry])


def test_a_shredding_is_mirrored_to_the_ledger_after_commit(
    ledger, db, django_capture_on_commit_callbacks
):
    huishouden, _ = make_huishouden()
    with django_capture_on_commit_callbacks(execute=True):
        destroy_household(huishouden=huishouden, by=None, reden="x")
    lines = ledger.read_text().splitlines()
    assert len(lines) == 1 and str(huishouden.data_key_id) in lines[0]
    assert shred_ledger.mirror() == 0  # nothing twice


def test_the_ledger_is_derived_beside_a_file_anchor_store(settings):
    settings.SHRED_LEDGER_STORE = ""
    settings.AUDIT_ANCHOR_STORE = "file:var/audit-ankers.jsonl,nats://127.0.0.1:4222/ANKERS"
    assert shred_ledger.configured() == "file:var/audit-ankers.vernietigingen.jsonl"


def test_a_database_behind_the_ledger_is_refused_and_restore_check_catches_up(ledger, db):
    gone, _ = make_huishouden()
    kept, _ = make_huishouden()
    _restored(gone)
    problem = shred_ledger.startup_problem()
    assert problem is not None and "restore_check" in problem
    with pytest.raises(CommandError, match="loopt achter"):
        call_command("restore_check", "--check")

    call_command("restore_check")

    assert DataKey.objects.get(pk=gone.data_key_id).is_destroyed
    assert not Gezinslid.objects.filter(huishouden=gone).exists()
    assert Huishouden.objects.get(pk=gone.pk).is_vernietigd
    assert kept.gezinsleden.get().achternaam  # others still decrypt
    assert shred_ledger.startup_problem() is None
    call_command("restore_check", "--check")
    call_command("restore_check")  # a second run changes nothing


def test_the_web_process_refuses_to_start_while_behind(ledger, db):
    gone, _ = make_huishouden()
    _restored(gone)
    with pytest.raises(CommandError, match="vernietigingsgrootboek"):
        call_command("serve", "--port", "0")


def test_an_unreadable_ledger_line_is_a_clear_error(ledger, db):
    ledger.write_text("geen json\n")
    with pytest.raises(CommandError, match="ongeldig"):
        call_command("restore_check", "--check")
