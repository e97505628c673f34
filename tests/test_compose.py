"""No Docker engine runs here, so the deployment file is checked by reading it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _merged(service: dict) -> dict:
    return service  # YAML anchors are resolved by safe_load


def test_compose_has_the_four_services_and_a_migrate_step(compose):
    assert {"db", "redis", "web", "worker", "migrate"} <= set(compose["services"])


def test_database_and_redis_use_pinned_images_with_health_checks(compose):
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("db", "redis", "web", "worker"):
        assert "test" in services[name]["healthcheck"], name


def test_database_data_lives_on_a_named_volume(compose):
    volumes = compose["services"]["db"]["volumes"]
    assert any(v.startswith("db-data:") for v in volumes)
    assert "db-data" in compose["volumes"]


def test_web_runs_uvicorn_on_the_asgi_application(compose):
    command = compose["services"]["web"]["command"]
    assert command[0] == "uvicorn"
    assert "toegang.asgi:application" in command


def test_worker_runs_the_worker_command(compose):
    assert compose["services"]["worker"]["command"] == ["python", "manage.py", "worker"]


@pytest.mark.parametrize("name", ["web", "worker", "migrate"])
def test_app_services_run_production_settings_on_postgres_and_redis(compose, name):
    service = _merged(compose["services"][name])
    env = service["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "toegang.settings.production"
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["KEYRING_FILE"].startswith("/run/secrets/")
    assert "deploy/secrets.env" in service["env_file"]
    assert service["depends_on"]["db"]["condition"] == "service_healthy"


def test_no_secret_values_are_written_in_the_compose_file(compose):
    for service in compose["services"].values():
        env = service.get("environment", {})
        for key in ("SECRET_KEY", "POSTGRES_PASSWORD", "DATABASE_URL", "KEYRING"):
            assert key not in env


def test_secret_files_are_ignored_by_git():
    for path in ("deploy/secrets.env", "deploy/keyring.json"):
        result = subprocess.run(
            ["git", "check-ignore", "-q", path], cwd=ROOT, capture_output=True, check=False
        )
        assert result.returncode == 0, f"{path} is not ignored"


def test_dockerfile_installs_only_from_the_lock_file_and_runs_uvicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "FROM python:3.11" in dockerfile
    assert "pip install --require-hashes --no-deps -r requirements/runtime.txt" in dockerfile
    assert "pip install ." not in dockerfile
    assert '"uvicorn", "toegang.asgi:application"' in dockerfile


def _locked(path: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and "==" in line:
            name, version = line.split(" ")[0].split("==")
            pins[name.lower()] = version
    return pins


def test_lock_files_pin_every_package_with_hashes():
    for path in ("requirements/runtime.txt", "requirements/dev.txt"):
        text = (ROOT / path).read_text()
        assert _locked(path), path
        assert text.count("==") <= text.count("--hash=sha256:"), path


def test_faker_is_locked_for_development_only_and_unused_tools_are_gone():
    runtime, dev = _locked("requirements/runtime.txt"), _locked("requirements/dev.txt")
    assert "faker" not in runtime
    assert "faker" in dev
    assert "pytest-xdist" not in dev
    assert set(runtime.items()) <= set(dev.items())


def test_build_artefacts_are_not_tracked():
    tracked = subprocess.run(
        ["git", "ls-files", "*.egg-info*"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert tracked == ""
