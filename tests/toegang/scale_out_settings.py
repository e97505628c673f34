"""Settings of the app processes that ``test_scale_out`` starts: the embedded default's
settings on the test's PostgreSQL and Redis, with the test's key ring and short leases."""

from __future__ import annotations

from toegang.settings.dev import *  # noqa: F403

DEBUG = False
EMBEDDED_WORKER = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
#: A killed relay's claims come free after 3 s instead of 30.
EVENTS = {"lease_seconds": 3.0}

from toegang.logging import configure  # noqa: E402

configure(fmt="console", level="WARNING")
