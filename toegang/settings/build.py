"""Image build: ``collectstatic`` and ``compilemessages`` with production's settings
for static files and languages, but no secrets and no key ring (none exist at build
time, and nothing at build time signs or encrypts).

Used by ``deploy/build.sh`` only; never to serve requests.
"""

from __future__ import annotations

import secrets

from .base import *  # noqa: F403

DEBUG = False
DEMO_MODE = False
KEYRING_GENERATE_DEV = False
KEYRING = ""
KEYRING_FILE = ""
#: Random per build, thrown away with the build process.
SECRET_KEY = "build-only-" + secrets.token_hex(32)
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
