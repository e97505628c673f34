"""Input checks shared by the plan services. Messages are Dutch and never echo values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from casussen.leefgebieden import LEEFGEBIEDEN
from casussen.plan.constants import DIMENSIES, SCORE_MAX, SCORE_MIN

MAX_TEKST = 2000
MAX_NOTITIE = 10_000


def clean_score(name: str, value: Any, errors: dict[str, list[str]]) -> int | None:
    """An integer 0-10 (bools, floats like 6.5 and text like '7' are refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(name, []).append(_("Vul een heel getal van 0 tot en met 10 in."))
        return None
    if not SCORE_MIN <= value <= SCORE_MAX:
        errors.setdefault(name, []).append(_("Een score ligt tussen 0 en 10."))
        return None
    return value


def clean_scores(scores: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, int]:
    unknown = set(scores) - set(DIMENSIES)
    if unknown:
        errors.setdefault("scores", []).append(_("Onbekende dimensie in de scores."))
    cleaned = {}
    for code in DIMENSIES:
        if scores.get(code) is None:
            errors.setdefault(code, []).append(_("Vul voor elke dimensie een score in."))
            continue
        value = clean_score(code, scores[code], errors)
        if value is not None:
            cleaned[code] = value
    return cleaned


def clean_text(
    name: str,
    value: str | None,
    errors: dict[str, list[str]],
    *,
    required: bool,
    max_length: int = MAX_TEKST,
    message: str = "",
) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.setdefault(name, []).append(message or _("Dit veld is verplicht."))
    elif len(text) > max_length:
        errors.setdefault(name, []).append(_("Maximaal %(max)s tekens.") % {"max": max_length})
    return text


def clean_codes(
    name: str, values: Iterable[str], allowed: Iterable[str], errors: dict[str, list[str]]
) -> list[str]:
    allowed_set = set(allowed)
    values = list(dict.fromkeys(values))
    if any(value not in allowed_set for value in values):
        errors.setdefault(name, []).append(_("Kies alleen uit de lijst."))
    return [value for value in values if value in allowed_set]


def clean_dimensies(values: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    return clean_codes("dimensies", values, DIMENSIES, errors)


def clean_leefgebieden(values: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    return clean_codes("leefgebieden", values, LEEFGEBIEDEN.keys(), errors)


def clean_date(name: str, value: Any, errors: dict[str, list[str]]) -> date | None:
    if not isinstance(value, date):
        errors.setdefault(name, []).append(_("Vul een geldige datum in."))
        return None
    return value


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)
