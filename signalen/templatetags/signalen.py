"""Template helpers of the signalen pages."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from casussen.leefgebieden import LEEFGEBIEDEN
from toegang.crypto.sealing import VERNIETIGD

register = template.Library()


@register.filter
def leefgebied_labels(codes: Iterable[str]) -> str:
    return ", ".join(str(LEEFGEBIEDEN.get(code, code)) for code in codes or ())


@register.filter
def leesbaar(value: object) -> object:
    """A sealed value for display: "" when empty, the Dutch word when destroyed."""
    if value is None:
        return ""
    if value is VERNIETIGD:
        return str(value)
    return value
