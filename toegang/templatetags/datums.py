"""The ``datum`` filter (a template builtin): see ``toegang.datums``."""

from __future__ import annotations

from typing import Any

from django import template

from toegang import datums

register = template.Library()


@register.filter
def datum(value: Any, stijl: str = "lang") -> str:
    return datums.datum(value, stijl)
