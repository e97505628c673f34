"""The leefgebieden (life domains) a signal, casus or goal concerns: code → Dutch label.

Configurable with ``settings.LEEFGEBIEDEN`` (a mapping of code to label); the
codes are stored, the labels shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

_DEFAULT: dict[str, Any] = {
    "financien": _("Financiën"),
    "wonen": _("Wonen"),
    "gezondheid": _("Gezondheid"),
    "eenzaamheid": _("Eenzaamheid"),
    "opvoeden": _("Opvoeden en opgroeien"),
    "werk": _("Werk en dagbesteding"),
    "veiligheid": _("Veiligheid"),
    "school": _("School/leerplicht"),
    "overig": _("Overig"),
}

LEEFGEBIEDEN: dict[str, Any] = dict(getattr(settings, "LEEFGEBIEDEN", None) or _DEFAULT)


def choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in LEEFGEBIEDEN.items()]


def label(code: str) -> str:
    return str(LEEFGEBIEDEN.get(code, code))


def clean(codes: Iterable[str]) -> list[str]:
    """Known codes only, without duplicates, in the configured order."""
    wanted = set(codes)
    unknown = wanted - LEEFGEBIEDEN.keys()
    if unknown:
        raise ValueError("onbekend leefgebied")
    return [code for code in LEEFGEBIEDEN if code in wanted]
