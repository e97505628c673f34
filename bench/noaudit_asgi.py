"""The production ASGI app with audit recording switched off: ONLY for ``bench.load``.

``python -m bench.load --compare-no-audit`` serves the signal intake with this app to
measure what the audit trail costs (throughput with audit as a share of without). It
replaces ``audit.services.record`` wherever a loaded module imported it. Never deploy it.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

from django.conf import settings

from toegang.asgi import application  # sets Django up first

_record = import_module("audit.services").record


def _not_recorded(**_kwargs: Any) -> None:
    return None


import_module(settings.ROOT_URLCONF)  # every view and service that records is loaded now
for _module in list(sys.modules.values()):
    if getattr(_module, "record", None) is _record:
        _module.record = _not_recorded  # type: ignore[attr-defined]

__all__ = ["application"]
