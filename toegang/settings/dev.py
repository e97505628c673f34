"""Embedded default for ``make run``: SQLite, in-memory channel layer, demo keys."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import BASE_DIR, VAR_DIR, env

#: Off like production, so users see the Dutch error pages; a developer sets DEBUG=1.
DEBUG = env.bool("DEBUG", default=False)
#: WhiteNoise serves the apps' static files straight from their folders (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
SECRET_KEY = env.str("SECRET_KEY", default="demo-only-not-secret-" + "x" * 40)
DEMO_MODE = True
GEMEENTE_NAAM = env.str("GEMEENTE_NAAM", default="Gemeente Putten")
GEMEENTE_LOGO = env.str(
    "GEMEENTE_LOGO",
    default=str(BASE_DIR / "toegang" / "static" / "toegang" / "img" / "demo-logo.png"),
)
EMBEDDED_WORKER = env.bool("EMBEDDED_WORKER", default=True)
KEYRING_FILE = env.str("KEYRING_FILE", default=str(VAR_DIR / "demo-keyring.json"))
#: Generate development keys on first run if the key ring file is missing.
KEYRING_GENERATE_DEV = True
AUDIT_ANCHOR_STORE = env.str("AUDIT_ANCHOR_STORE", default="file:var/audit-ankers.jsonl")
AUDIT_ANCHOR_INTERVAL = env.float("AUDIT_ANCHOR_INTERVAL", default=60.0)

from toegang.logging import configure  # noqa: E402

configure(fmt="console", level=env.str("LOG_LEVEL", default="INFO"))
