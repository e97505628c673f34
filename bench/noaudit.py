"""Audit recording switched off in this process: ONLY for ``bench.load``.

``python -m bench.load --compare-no-audit`` serves the signal intake with
``bench.noaudit_wsgi`` (gunicorn) or ``bench.noaudit_asgi`` (uvicorn) to measure what
the audit trail costs (throughput with audit as a share of without). It replaces
``audit.services.record`` wherever a loaded module imported it. Never deploy it.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

from django.conf import settings


def _not_recorded(**_kwargs: Any) -> None:
    return None


def switch_off() -> None:
    """Every view and service that records, loaded now, records nothing."""
    record = import_module("audit.services").record
    import_module(settings.ROOT_URLCONF)
    for module in list(sys.modules.values()):
        if getattr(module, "record", None) is record:
            module.record = _not_recorded  # type: ignore[attr-defined]
