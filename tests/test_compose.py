"""No Docker engine runs here: the compose file and Dockerfile are checked by reading them,
the secrets script by running it; deploy/smoke.sh (CI) runs the build and start scripts."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _merged(service: dict) -> dict:
    return service  # YAML anchors are resolved by safe_load


def test_compose_has_its_services_and_a_migrate_step(compose):
    assert {"db", "redis", "proxy", "web", "realtime", "worker", "migrate"} <= set(
        compose["services"]
    )


def test_database_and_redis_use_pinned_images_with_health_checks(compose):
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("db", "redis", "proxy", "web", "realtime", "worker"):
        assert "test" in services[name]["healthcheck"], name


def test_database_data_lives_on_a_named_volume(compose):
    volumes = compose["services"]["db"]["volumes"]
    assert any(v.startswith("db-data:") for v in volumes)
    assert "db-data" in compose["volumes"]


def _start_script() -> str:
    return (ROOT / "deploy" / "start.sh").read_text()


def _with_defaults(text: str) -> str:
    """``${VAR:-default}`` as compose resolves it when VAR is not set."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text)


def test_image_starts_through_the_start_script(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["deploy/start.sh"]' in dockerfile
    assert compose["services"]["web"]["command"] == ["web"]
    assert compose["services"]["realtime"]["command"] == ["realtime"]
    assert compose["services"]["worker"]["command"] == ["worker"]
    assert compose["services"]["migrate"]["command"] == ["migrate"]


def test_web_runs_gunicorn_and_realtime_uvicorn_behind_the_same_trusted_proxies(compose):
    script = _start_script()
    assert "-m gunicorn toegang.wsgi:application" in script
    assert "-m uvicorn toegang.asgi:application" in script
    assert 'export TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1}"' in script
    assert script.count('--forwarded-allow-ips "$TRUSTED_PROXIES"') == 2
    assert '--workers "${WEB_WORKERS:-' in script and '--threads "${WEB_THREADS:-' in script
    for name in ("web", "realtime"):
        env = compose["services"][name]["environment"]
        proxy = compose["services"]["proxy"]["networks"]["default"]["ipv4_address"]
        assert _with_defaults(env["TRUSTED_PROXIES"]).split(",") == [proxy, "127.0.0.1"]


def test_the_proxy_sends_websockets_to_realtime_and_the_rest_to_web():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy /ws/* realtime:8001" in caddyfile
    assert "reverse_proxy web:8000" in caddyfile
    assert caddyfile.index("/ws/*") < caddyfile.index("reverse_proxy web:8000")


def test_worker_runs_the_worker_command():
    assert 'exec "$PYTHON" manage.py worker' in _start_script()


def test_migrate_runs_as_owner_and_grants_the_app_role():
    script = _start_script()
    assert 'DATABASE_URL="$DATABASE_OWNER_URL" "$PYTHON" manage.py migrate' in script
    assert script.index("db_roles create") < script.index("manage.py migrate")
    assert script.index("manage.py migrate") < script.index("db_roles grant")


def test_only_the_proxy_publishes_ports_on_loopback_unless_configured(compose):
    ports = [_with_defaults(p) for p in compose["services"]["proxy"]["ports"]]
    assert ports == ["127.0.0.1:443:443", "127.0.0.1:80:80"]
    for name, service in compose["services"].items():
        if name != "proxy":
            assert "ports" not in service, name


@pytest.mark.parametrize("name", ["web", "realtime", "worker", "migrate"])
def test_app_services_run_production_settings_on_postgres_and_redis(compose, name):
    service = _merged(compose["services"][name])
    env = service["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "toegang.settings.production"
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["KEYRING_FILE"].startswith("/run/secrets/")
    assert "deploy/app.env" in service["env_file"]
    assert service["depends_on"]["db"]["condition"] == "service_healthy"


def test_each_service_gets_only_its_own_secrets(compose):
    services = compose["services"]
    assert services["db"]["env_file"] == ["deploy/db.env"]
    assert services["migrate"]["env_file"] == ["deploy/app.env", "deploy/migrate.env"]
    for name in ("web", "realtime", "worker"):
        assert services[name]["env_file"] == ["deploy/app.env"], name
    assert "env_file" not in services["redis"] and "secrets" not in services["db"]


def test_no_secret_values_are_written_in_the_compose_file(compose):
    for service in compose["services"].values():
        env = service.get("environment", {})
        for key in ("SECRET_KEY", "POSTGRES_PASSWORD", "DATABASE_URL", "KEYRING"):
            assert key not in env


def test_secret_files_are_ignored_by_git():
    for name in ("app.env", "db.env", "migrate.env", "keyring.json"):
        result = subprocess.run(
            ["git", "check-ignore", "-q", f"deploy/{name}"],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        assert result.returncode == 0, f"deploy/{name} is not ignored"


def _run_secrets_script(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(ROOT / "deploy" / "secrets.sh"), str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        check=False,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("secrets")
    result = _run_secrets_script(out)
    assert result.returncode == 0, result.stderr
    return out


def _env_file(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_generated_database_env_has_no_application_secrets(generated):
    db = _env_file(generated / "db.env")
    assert set(db) == {"POSTGRES_USER", "POSTGRES_PASSWORD"}
    assert len(db["POSTGRES_PASSWORD"]) >= 32


def test_generated_app_env_connects_as_the_app_role_not_the_superuser(generated):
    app, migrate = _env_file(generated / "app.env"), _env_file(generated / "migrate.env")
    assert set(app) == {"SECRET_KEY", "DATABASE_URL"}
    assert len(app["SECRET_KEY"]) >= 50
    assert urlsplit(app["DATABASE_URL"]).username == "toegang_app"
    assert urlsplit(migrate["DATABASE_OWNER_URL"]).username == "toegang_owner"
    assert urlsplit(migrate["DATABASE_ADMIN_URL"]).username == "postgres"
    passwords = {urlsplit(url).password for url in (*migrate.values(), app["DATABASE_URL"])}
    assert len(passwords) == 3


def test_generated_secrets_are_private_and_never_overwritten(generated):
    for name in ("db.env", "migrate.env", "app.env", "keyring.json"):
        assert stat.S_IMODE((generated / name).stat().st_mode) == 0o600, name
    before = (generated / "keyring.json").read_bytes()
    assert _run_secrets_script(generated).returncode != 0
    assert (generated / "keyring.json").read_bytes() == before


def test_image_user_can_read_the_generated_key_ring(generated):
    dockerfile = (ROOT / "Dockerfile").read_text()
    match = re.search(r"useradd .*--uid (\d+) (\w+)", dockerfile)
    assert match, "the image makes its own user"
    uid, user = int(match.group(1)), match.group(2)
    assert f"USER {user}" in dockerfile
    if os.geteuid() != 0:
        pytest.skip("only root can give the key ring to the image's user")
    keyring = (generated / "keyring.json").stat()
    assert keyring.st_uid == uid and keyring.st_mode & stat.S_IRUSR


def test_dockerfile_builds_with_the_build_script_from_the_lock_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    build = (ROOT / "deploy" / "build.sh").read_text()
    assert dockerfile.startswith("# ") and "FROM python:3.11" in dockerfile
    assert "RUN deploy/build.sh deps" in dockerfile
    assert "RUN deploy/build.sh assets" in dockerfile
    assert "pip install" not in dockerfile
    assert "--require-hashes --no-deps -r requirements/runtime.txt" in build
    assert "DJANGO_SETTINGS_MODULE=toegang.settings.build" in build


def test_build_settings_collect_static_files_without_secrets(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("KEYRING", "SECRET"))},
            "DJANGO_SETTINGS_MODULE": "toegang.settings.build",
            "VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert any((tmp_path / "static").iterdir())


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
