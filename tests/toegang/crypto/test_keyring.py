from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError

from toegang.crypto.errors import KeyRingError
from toegang.crypto.keyring import KeyRing, SecretKey, get_keyring, reset_keyring_cache


def test_development_ring_is_generated_once_with_mode_0600_and_label(settings, tmp_path):
    path = tmp_path / "var" / "ring.json"
    settings.KEYRING, settings.KEYRING_FILE, settings.KEYRING_GENERATE_DEV = "", str(path), True
    reset_keyring_cache()

    ring = get_keyring()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["development"] is True
    assert ring.development is True
    reset_keyring_cache()
    assert get_keyring().blind_index_key == ring.blind_index_key  # read back, not regenerated
    reset_keyring_cache()


def test_missing_ring_without_dev_generation_is_an_error(settings, tmp_path):
    settings.KEYRING, settings.KEYRING_FILE = "", str(tmp_path / "absent.json")
    settings.KEYRING_GENERATE_DEV = False
    reset_keyring_cache()
    with pytest.raises(KeyRingError):
        get_keyring()
    assert not (tmp_path / "absent.json").exists()
    reset_keyring_cache()


def test_ring_from_the_keyring_setting_takes_precedence(settings, tmp_path):
    ring = KeyRing.generate(development=False)
    settings.KEYRING, settings.KEYRING_FILE = ring.to_json(), str(tmp_path / "unused.json")
    reset_keyring_cache()
    assert get_keyring().blind_index_key == ring.blind_index_key
    assert not (tmp_path / "unused.json").exists()
    reset_keyring_cache()


def test_reprs_and_errors_never_show_key_material():
    ring = KeyRing.generate(development=False)
    material = ring.keks[1].material
    texts = [repr(ring), str(ring), repr(ring.keks[1]), str(ring.blind_index_key)]
    assert all(material.hex() not in t and str(material) not in t for t in texts)
    assert "verborgen" in repr(ring.keks[1])
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(ring.keks[1])
    broken = ring.to_json().replace('"current_kek": 1', '"current_kek": 7')
    with pytest.raises(KeyRingError) as excinfo:
        KeyRing.from_json(broken)
    assert json.loads(ring.to_json())["keks"]["1"] not in str(excinfo.value)


def test_malformed_key_is_refused():
    data = json.loads(KeyRing.generate(development=False).to_json())
    data["keks"]["1"] = "c2hvcnQ="  # "short"
    with pytest.raises(KeyRingError, match="32 bytes"):
        KeyRing.from_json(json.dumps(data))
    with pytest.raises(KeyRingError):
        SecretKey(b"too short")


def test_keyring_generate_writes_a_production_ring(tmp_path):
    path = tmp_path / "prod.json"
    call_command("keyring_generate", "--output", str(path), stdout=StringIO())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ring = KeyRing.from_json(path.read_text())
    assert ring.development is False and ring.versions == [1]
    with pytest.raises(CommandError):
        call_command("keyring_generate", "--output", str(path), stdout=StringIO())


def test_keyring_generate_prints_json_without_output():
    out = StringIO()
    call_command("keyring_generate", stdout=out)
    assert KeyRing.from_json(out.getvalue()).development is False


def _import_production_settings(tmp_path: Path, ring: KeyRing) -> subprocess.CompletedProcess:
    path = tmp_path / "ring.json"
    path.write_text(ring.to_json())
    env = {
        **os.environ,
        "SECRET_KEY": "p" * 60,
        "KEYRING_FILE": str(path),
        "KEYRING": "",
        "DJANGO_SETTINGS_MODULE": "toegang.settings.production",
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )


def test_production_refuses_a_development_ring(tmp_path):
    refused = _import_production_settings(tmp_path, KeyRing.generate(development=True))
    assert refused.returncode != 0
    assert "ontwikkelsleutels" in refused.stderr
    accepted = _import_production_settings(tmp_path, KeyRing.generate(development=False))
    assert accepted.returncode == 0, accepted.stderr
