"""Bad input never passes silently: a tampered export file, a missing anchor store at
start-up, a wrong audit key. Clear Dutch messages from ``audit_verify`` and ``/healthz``."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import timedelta
from io import StringIO

import pytest

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from audit import anchors, canonical
from audit.models import AuditSeal
from audit.sealing import seal_all
from tests.audit.tamper import raw, reseal_from, triggers_off
from toegang.crypto.keyring import get_keyring

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_keyring(settings, tmp_path):
    settings.KEYRING = ""
    settings.KEYRING_FILE = str(tmp_path / "keyring.json")
    settings.KEYRING_GENERATE_DEV = True
    yield tmp_path / "keyring.json"
    get_keyring(fresh=True)


@pytest.fixture
def sealed(make_records, own_keyring, settings):
    settings.AUDIT_ANCHOR_STORE = ""
    with override_settings(AUDIT_SEAL_BATCH=4):
        records = make_records(12)
        seal_all()
    assert AuditSeal.objects.count() == 3
    return records


def _verify(**options) -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out, **options)
    return out.getvalue()


def _export(tmp_path):
    out = StringIO()
    call_command("audit_export_seals", stdout=out)
    path = tmp_path / "zegels.jsonl"
    path.write_text(out.getvalue())
    return path


def _backdate_seals(hours: int = 2) -> None:
    """Seals from two hours ago, sealed again with the real key (a valid, older chain)."""
    with triggers_off():
        raw("UPDATE audit_auditseal SET sealed_at = %s", [timezone.now() - timedelta(hours=hours)])
    version, key = get_keyring().current_audit_key()
    reseal_from(0, versie=canonical.SEAL_KEYED, key=key.material, key_version=version)


# --- a tampered export file ----------------------------------------------------


def test_an_untouched_export_file_verifies(sealed, tmp_path):
    assert "3 anker(s) in 1 opslag(en) kloppen" in _verify(anchor=str(_export(tmp_path)))


@pytest.mark.parametrize("field", ["count", "first_id", "previous_hash", "seal_hash"])
def test_a_changed_field_in_an_export_file_is_detected(sealed, tmp_path, field):
    path = _export(tmp_path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    value = lines[1][field]
    lines[1][field] = value + 1 if isinstance(value, int) else "f" * 64
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(CommandError, match=r"verankerde zegel \d+ .* ontbreekt of wijkt af"):
        _verify(anchor=str(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"seal_id": 1, "last_id": \n', "regel 1 is geen geldig anker"),
        (b'{"format": 9, "seal_id": 1, "last_id": 4, "seal_hash": "x"}\n', "onbekend ankerformaat"),
        (b"", "bevat geen ankers"),
        (b"\xff\xfe\x00kapot\n", "niet leesbaar"),
    ],
)
def test_a_broken_export_file_is_a_clear_failure(sealed, tmp_path, content, message):
    path = tmp_path / "zegels.jsonl"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=rf"ANKERS NIET TE CONTROLEREN: .*{message}"):
        _verify(anchor=str(path))


def test_a_missing_export_file_is_a_clear_failure(sealed, tmp_path):
    with pytest.raises(CommandError, match="bestaat niet"):
        _verify(anchor=str(tmp_path / "weg.jsonl"))


# --- a missing anchor store at start-up -------------------------------------------


@pytest.fixture
def gone_store(sealed, settings, tmp_path):
    """Anchors were written, then the store disappeared; the seals are two hours old."""
    path = tmp_path / "ankers" / "audit-ankers.jsonl"
    settings.AUDIT_ANCHOR_STORE = f"file:{path}"
    settings.AUDIT_ANCHOR_INTERVAL = 60
    anchors.publish()
    path.unlink()
    path.parent.rmdir()
    _backdate_seals()
    return path


def test_verify_fails_on_an_empty_or_missing_store_with_old_seals(gone_store):
    with pytest.raises(CommandError, match=r"is leeg of ontbreekt.*ankers verwijderd"):
        _verify()


def test_healthz_names_the_missing_store(client, gone_store):
    body = client.get("/healthz").json()
    assert body["status"] == "beperkt" and "audit_verankering" in body["beperkt"]
    assert "is leeg of ontbreekt" in body["audit_verankering"]["detail"]


def test_the_worker_does_not_start_a_missing_store_afresh_on_its_own(gone_store):
    assert anchors.publish_job() == 0
    assert not gone_store.exists()
    with pytest.raises(CommandError, match="is leeg of ontbreekt"):
        call_command("audit_export_seals", publish=True, stdout=StringIO(), stderr=StringIO())
    call_command(
        "audit_export_seals", publish=True, start=True, stdout=StringIO(), stderr=StringIO()
    )
    assert gone_store.exists()
    assert "1 anker(s) in 1 opslag(en) kloppen" in _verify()


def test_a_new_store_on_a_young_chain_starts_by_itself(sealed, settings, tmp_path):
    path = tmp_path / "nieuw" / "ankers.jsonl"
    settings.AUDIT_ANCHOR_STORE = f"file:{path}"
    anchors.publish_job()
    assert path.exists()


# --- a wrong audit key -------------------------------------------------------------


def _replace_audit_key(keyring_path, *, version: str = "1", drop: bool = False) -> None:
    data = json.loads(keyring_path.read_text())
    if drop:
        data["audit_keys"] = {"7": data["audit_keys"][version]}
        data["current_audit_key"] = 7
    else:
        data["audit_keys"][version] = base64.b64encode(secrets.token_bytes(32)).decode()
    keyring_path.write_text(json.dumps(data))
    get_keyring(fresh=True)


def test_healthz_is_fine_with_the_right_key(client, sealed):
    assert client.get("/healthz").json()["audit_sleutel"]["ok"] is True


def test_a_different_key_under_the_same_version_is_named(client, sealed, own_keyring):
    _replace_audit_key(own_keyring)
    with pytest.raises(CommandError, match="klopt niet met auditsleutel versie 1"):
        _verify(no_anchors=True)
    body = client.get("/healthz").json()
    assert body["status"] == "beperkt" and "audit_sleutel" in body["beperkt"]
    assert "klopt niet met auditsleutel versie 1" in body["audit_sleutel"]["detail"]


def test_a_missing_key_version_is_named(client, sealed, own_keyring):
    _replace_audit_key(own_keyring, drop=True)
    with pytest.raises(CommandError, match="auditsleutel versie 1 ontbreekt in de sleutelbos"):
        _verify(no_anchors=True)
    body = client.get("/healthz").json()
    assert "audit_sleutel" in body["beperkt"]
    assert "versie 1 van de nieuwste zegel" in body["audit_sleutel"]["detail"]
