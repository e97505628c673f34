"""Serializer bases of every API: unknown fields are refused (400), not silently dropped.

A client that misspells a field (``"omschrjving"``) or sends one the API does not
have would otherwise get a 201 for something other than it meant. Every
serializer of the API derives from :class:`StrictSerializer` or
:class:`StrictModelSerializer` (``tests/test_api_hardening.py`` checks that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictFieldsMixin:
    """Refuse input keys that are not fields of the serializer, each named in the 400."""

    fields: Any
    initial_data: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {key: [_("Onbekend veld.")] for key in unknown[:20]}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    pass
