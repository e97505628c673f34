"""A ``manage.py relay`` in a process of its own, on the test database and a given Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent


def database_url() -> str:
    """The URL of the database the test runs on (PostgreSQL: the test database)."""
    db: dict[str, Any] = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def start_relay(
    *, redis_url: str, batch_size: int = 10, nats_url: str = ""
) -> subprocess.Popen[bytes]:
    """Start a relay process (webhooks and NATS lanes included) and return it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "toegang.settings.dev",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "NATS_URL": nats_url,
        "EMBEDDED_WORKER": "0",
        "VAR_DIR": tempfile.mkdtemp(prefix="fault-relay-"),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "relay", "--batch-size", str(batch_size),
         "--poll-interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
