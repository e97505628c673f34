"""The time the overleg's access rules use, and how long access lasts after a session.

``OVERLEG_TOEGANG_UREN`` (default 24): how long after a session participants still
see what was shared with them. ``OVERLEG_KLOKVERSCHUIVING_UREN`` moves this clock
forward for demos and browser tests ("a day later"); it is honoured only with
``DEMO_MODE`` on, never in production.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    shift = (
        getattr(settings, "OVERLEG_KLOKVERSCHUIVING_UREN", 0)
        if getattr(settings, "DEMO_MODE", False)
        else 0
    )
    return timezone.now() + timedelta(hours=float(shift or 0))


def toegang_duur() -> timedelta:
    return timedelta(hours=float(getattr(settings, "OVERLEG_TOEGANG_UREN", 24)))
