"""JSON from outside, parsed within limits: nesting depth and size.

Python's ``json`` module recurses once per nesting level, so a small body of a
thousand ``[`` ends in ``RecursionError`` (a 500 with a traceback). Everything that
parses JSON from a client (the API, the websocket, cursors) goes through
:func:`loads`, which measures the depth first, without recursion.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings

#: Deepest nesting accepted (objects and arrays); real bodies stay under ten.
DEFAULT_MAX_DEPTH = 64
#: Largest API body accepted, in bytes (setting ``API_MAX_BODY_BYTES``).
DEFAULT_MAX_BODY_BYTES = 1024 * 1024

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


class TooDeepError(ValueError):
    """Nested deeper than allowed."""


def max_depth() -> int:
    return int(getattr(settings, "API_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH))


def max_body_bytes() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (strings do not count)."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    deepest = level = 0
    for char in brackets:
        if char in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def loads(text: str | bytes, *, limit: int | None = None) -> Any:
    """``json.loads`` that raises ``TooDeepError`` (a ``ValueError``) beyond ``limit`` levels."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    if depth(text) > (limit if limit is not None else max_depth()):
        raise TooDeepError("JSON nested too deeply")
    return json.loads(text)
