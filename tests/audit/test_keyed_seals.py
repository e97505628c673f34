"""Keyed seals: whoever can write the database but lacks the audit key cannot reseal."""

from __future__ import annotations

import json
import secrets
from io import StringIO
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command
from django.test import override_settings

from audit import canonical
from audit.models import AuditSeal
from audit.sealing import seal_all
from audit.verify import verify_chain
from tests.audit.tamper import raw, reseal_from, triggers_off
from toegang.crypto.errors import KeyRingError
from toegang.crypto.keyring import KeyRing, get_keyring

pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)


@pytest.fixture
def own_keyring(settings, tmp_path):
    settings.KEYRING = ""
    settings.KEYRING_FILE = str(tmp_path / "keyring.json")
    settings.KEYRING_GENERATE_DEV = True
    return Path(settings.KEYRING_FILE)


@pytest.fixture
def sealed(make_records, own_keyring):
    with override_settings(AUDIT_SEAL_BATCH=4):
        records = make_records(12)
        seal_all()
    assert AuditSeal.objects.count() == 3
    return records


def _rewrite_record(record_id: int) -> None:
    with triggers_off():
        raw("UPDATE audit_auditrecord SET reden = 'herschreven' WHERE id = %s", [record_id])


def test_seals_are_keyed_with_the_current_audit_key(sealed):
    versions = set(AuditSeal.objects.values_list("versie", "sleutelversie"))
    assert versions == {(canonical.SEAL_KEYED, get_keyring().current_audit_version)}
    assert verify_chain().ok


def test_rewrite_and_reseal_with_a_guessed_key_is_detected(sealed):
    _rewrite_record(sealed[5].pk)
    reseal_from(1, versie=canonical.SEAL_KEYED, key=secrets.token_bytes(32), key_version=1)
    result = verify_chain()
    assert not result.ok
    assert result.seal_id == AuditSeal.objects.order_by("last_id")[1].pk
    assert "auditsleutel" in result.problem


def test_rewrite_and_reseal_unkeyed_is_detected_even_when_unkeyed_seals_are_accepted(sealed):
    _rewrite_record(sealed[5].pk)
    reseal_from(1, versie=canonical.SEAL_UNKEYED, key=None, key_version=None)
    for accept in (False, True):
        result = verify_chain(accept_unkeyed=accept)
        assert not result.ok
        assert result.seal_id == AuditSeal.objects.order_by("last_id")[1].pk
        assert "zonder auditsleutel" in result.problem


def test_legacy_unkeyed_chain_counts_only_when_accepted(sealed):
    reseal_from(0, versie=canonical.SEAL_UNKEYED, key=None, key_version=None)
    assert "zonder auditsleutel" in verify_chain().problem
    result = verify_chain(accept_unkeyed=True)
    assert result.ok and result.unkeyed == 3
    out = StringIO()
    call_command("audit_verify", accept_unkeyed=True, stdout=out)
    assert "3 zegel(s) zonder auditsleutel meegeteld" in out.getvalue()


def test_the_edits_of_today_are_still_detected_with_keyed_seals(sealed):
    seal = AuditSeal.objects.order_by("last_id")[2]
    with triggers_off():
        raw("DELETE FROM audit_auditrecord WHERE id = %s", [sealed[10].pk])
    assert "verwijderd" in verify_chain().problem
    assert verify_chain().seal_id == seal.pk


def test_rotate_keys_audit_new_seals_use_the_new_version_and_old_ones_still_verify(
    sealed, make_records
):
    before = AuditSeal.objects.order_by("-last_id")[0].last_id
    out = StringIO()
    call_command("rotate_keys", audit=True, stdout=out)
    assert "Auditsleutel versie 2" in out.getvalue()
    make_records(2)
    seal_all()
    seals = AuditSeal.objects.order_by("last_id")
    assert set(seals.filter(last_id__lte=before).values_list("sleutelversie", flat=True)) == {1}
    assert set(seals.filter(last_id__gt=before).values_list("sleutelversie", flat=True)) == {2}
    assert verify_chain().ok


def test_a_missing_audit_key_version_is_a_clear_failure(sealed, own_keyring):
    data = json.loads(own_keyring.read_text())
    data["audit_keys"] = {"7": data["audit_keys"]["1"]}
    data["current_audit_key"] = 7
    own_keyring.write_text(json.dumps(data))
    get_keyring(fresh=True)
    with pytest.raises(CommandError, match="auditsleutel versie 1 ontbreekt in de sleutelbos"):
        call_command("audit_verify", stdout=StringIO())


def test_a_production_ring_without_audit_key_refuses_to_seal(settings, make_records, tmp_path):
    ring = KeyRing.generate(development=False)
    data = json.loads(ring.to_json())
    del data["audit_keys"], data["current_audit_key"]
    settings.KEYRING, settings.KEYRING_FILE = json.dumps(data), str(tmp_path / "unused.json")
    make_records(1)
    with pytest.raises(KeyRingError, match="rotate_keys --audit"):
        seal_all()
    assert not AuditSeal.objects.exists()


def test_a_development_ring_from_before_audit_keys_gets_one(own_keyring, make_records):
    data = json.loads(KeyRing.generate(development=True).to_json())
    del data["audit_keys"], data["current_audit_key"]
    own_keyring.write_text(json.dumps(data))
    make_records(2)
    seal_all()
    assert json.loads(own_keyring.read_text())["current_audit_key"] == 1
    assert verify_chain().ok
