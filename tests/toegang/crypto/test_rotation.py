from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import Actie, AuditRecord
from casussen.models import Gezinslid
from tests.casussen.factories import make_huishouden
from toegang.crypto.blind_index import blind_index_bsn, blind_index_naam_geboortedatum
from toegang.crypto.datakeys import cipher_cache
from toegang.crypto.keyring import get_keyring
from toegang.crypto.models import DataKey

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    cipher_cache.clear()
    return {
        lid.pk: (lid.voornaam, lid.achternaam, lid.geboortedatum, lid.bsn, lid.telefoon)
        for lid in Gezinslid.objects.all()
    }


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def _ring_file() -> dict:
    return json.loads(Path(settings.KEYRING_FILE).read_text())


def test_rotation_rewraps_every_data_key_and_keeps_every_value_readable(fresh_keyring):
    for _ in range(5):
        make_huishouden({}, {})
    before = _snapshot()
    wrapped_before = dict(DataKey.objects.values_list("pk", "wrapped"))

    output = _rotate("--batch-size", "2")

    assert "Nieuwe KEK-versie 2" in output and "5/5" in output
    assert _ring_file()["current_kek"] == 2
    assert set(DataKey.objects.values_list("kek_version", flat=True)) == {2}
    assert all(
        bytes(w) != bytes(wrapped_before[pk])
        for pk, w in DataKey.objects.values_list("pk", "wrapped")
    )
    assert _snapshot() == before
    assert AuditRecord.objects.filter(actie=Actie.KEY_ROTATION, object_id="kek-v2").exists()


def test_interrupted_rotation_resumes_and_old_version_is_retired_only_when_unused(fresh_keyring):
    for _ in range(3):
        make_huishouden()
    before = _snapshot()

    output = _rotate("--batch-size", "1", "--max-batches", "1")
    assert "nog te gaan: 2" in output
    assert DataKey.objects.filter(kek_version=1).count() == 2
    assert _snapshot() == before  # mixed versions: everything still readable
    with pytest.raises(CommandError, match="still wraps 2 data keys"):
        _rotate("--retire", "1")

    output = _rotate()
    assert "hervat" in output and "nog te gaan: 0" in output
    assert _ring_file()["current_kek"] == 2  # resumed, no third version

    _rotate("--retire", "1")
    assert list(_ring_file()["keks"]) == ["2"]
    assert _snapshot() == before
    with pytest.raises(CommandError, match="current version"):
        _rotate("--retire", "2")


def test_new_data_keys_use_the_new_version_after_rotation(fresh_keyring):
    _rotate()
    huishouden, _ = make_huishouden()
    assert huishouden.data_key.kek_version == 2


def test_blind_index_rotation_recomputes_every_index(fresh_keyring):
    _, leden = make_huishouden({}, {})
    old_key = get_keyring().blind_index_key
    old = dict(Gezinslid.objects.values_list("pk", "bsn_index"))

    output = _rotate("--blind-index", "--batch-size", "1")

    assert "Blinde indexen herberekend: 2 rijen" in output
    ring = get_keyring()
    assert ring.blind_index_key != old_key and ring.blind_index_key_next is None
    for lid in leden:
        row = Gezinslid.objects.get(pk=lid.pk)
        assert row.bsn_index != old[lid.pk]
        assert row.bsn_index == blind_index_bsn(lid.bsn)
        assert row.naam_geboortedatum_index == blind_index_naam_geboortedatum(
            lid.achternaam, lid.geboortedatum
        )
    assert AuditRecord.objects.filter(actie=Actie.KEY_ROTATION, object_id="blind-index").exists()


def test_rotation_refuses_a_ring_from_the_environment(settings, fresh_keyring):
    settings.KEYRING = fresh_keyring.to_json()
    with pytest.raises(CommandError, match="KEYRING_FILE"):
        _rotate()
