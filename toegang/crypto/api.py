"""REST API helpers for sealed values.

Declare sealed attributes with ``SealedValueField`` (read-only) and add a
boolean flag next to them, e.g.
``vernietigd = serializers.BooleanField(source="huishouden.is_vernietigd", read_only=True)``:
after crypto-shredding the values serialise as null and the flag says why.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rest_framework import serializers

from toegang.crypto.sealing import VERNIETIGD


class SealedValueField(serializers.Field):
    """The plain value of a sealed field; null once its data key was destroyed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return sealed_representation(value)


def sealed_representation(value: Any) -> Any:
    """A sealed field's value in an API body: null once shredded, dates as ISO 8601."""
    if value is None or value is VERNIETIGD:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value
