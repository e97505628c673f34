"""The production WSGI app with audit recording switched off: ONLY for ``bench.load``
(see ``bench.noaudit``). Never deploy it."""

from __future__ import annotations

from bench.noaudit import switch_off
from toegang.wsgi import application  # sets Django up first

switch_off()

__all__ = ["application"]
