"""Test settings: fast hashing, in-process channel layer unless REDIS_URL is set."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, env

DEBUG = False
DEMO_MODE = True
SECRET_KEY = "test-secret-key-not-for-production-" + "t" * 30
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMBEDDED_WORKER = False
KEYRING_GENERATE_DEV = True
VAR_DIR = Path(tempfile.mkdtemp(prefix="toegang-test-"))
KEYRING_FILE = str(VAR_DIR / "test-keyring.json")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True  # the browser tests get CSS and JS without collectstatic
ALLOWED_HOSTS = ["*"]
HEALTHZ_CACHE_SECONDS = 0.0  # a test that stops Redis expects the next /healthz to say so

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = str(VAR_DIR / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_toegang")}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "toegang.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "test",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

from toegang.logging import configure  # noqa: E402

configure(fmt="console", level="WARNING")
