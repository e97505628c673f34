"""One way to show a date: the Dutch long date in text, dd-mm-jjjj in tables and forms.

``datum(value)`` gives "30 november 2026", ``datum(value, "kort")`` "30-11-2026";
add " tijd" for the time of a moment ("30 november 2026, 14:05", "30-11-2026 14:05").
Templates use the same as the built-in filter ``{{ value|datum:"kort" }}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

FORMATS = {
    "lang": "DATE_FORMAT",
    "lang tijd": "DATETIME_FORMAT",
    "kort": "SHORT_DATE_FORMAT",
    "kort tijd": "SHORT_DATETIME_FORMAT",
}


def datum(value: Any, stijl: str = "lang") -> str:
    """``value`` (date, datetime or ISO text) in ``stijl``; other values as text, None as ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value  # e.g. "vernietigd" after shredding
    if not isinstance(value, date):
        return str(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, FORMATS[stijl])
