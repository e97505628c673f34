"""Start-up behaviour of the settings, run as a real process like an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_SECRET = "prod-secret-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2  # W009: varied


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    skip = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the latter: tests/e2e
    clean = {k: v for k, v in os.environ.items() if k not in skip}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="toegang.settings.production",
        SECRET_KEY="",
        KEYRING_FILE=str(tmp_path / "k.json"),
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "SECRET_KEY ontbreekt" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_key_ring(tmp_path):
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="toegang.settings.production",
        SECRET_KEY=PROD_SECRET,
        KEYRING="",
        KEYRING_FILE="",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "Geen sleutelbos" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_in_production(tmp_path):
    keyring = tmp_path / "keyring.json"
    generated = _manage(
        "keyring_generate",
        "--output",
        str(keyring),
        DJANGO_SETTINGS_MODULE="toegang.settings.dev",
        VAR_DIR=str(tmp_path),
    )
    if generated.returncode != 0:
        pytest.skip("keyring_generate not available yet")
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="toegang.settings.production",
        SECRET_KEY=PROD_SECRET,
        KEYRING_FILE=str(keyring),
        VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="toegang.example.nl",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_unreachable_database_at_start_up_is_named_without_traceback(tmp_path):
    result = _manage(
        "serve",
        "--port",
        "8799",
        DJANGO_SETTINGS_MODULE="toegang.settings.dev",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nergens",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "De database is niet bereikbaar" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_redis_at_start_up_is_named_without_traceback(tmp_path):
    result = _manage(
        "serve",
        "--port",
        "8798",
        DJANGO_SETTINGS_MODULE="toegang.settings.dev",
        REDIS_URL="redis://127.0.0.1:1/0",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "Redis is niet bereikbaar" in result.stderr
    assert "Traceback" not in result.stderr
