"""BSN (burgerservicenummer): normalisation and the elfproef."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_WRITTEN = re.compile(r"[0-9][0-9 .\-]*")


def bsn_normalise(bsn: str) -> str:
    """Digits only; an 8-digit number gets its leading zero back ("12345672" → "012345672")."""
    digits = "".join(c for c in str(bsn) if "0" <= c <= "9")
    return digits.zfill(9) if len(digits) == 8 else digits


def bsn_is_valid(bsn: str) -> bool:
    """True for a 9-digit BSN (spaces and dots allowed) that passes the elfproef."""
    if not isinstance(bsn, str) or not _WRITTEN.fullmatch(bsn.strip()):
        return False
    digits = bsn_normalise(bsn)
    if len(digits) != 9 or digits == "000000000":
        return False
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0


def validate_bsn(value: str) -> None:
    """Django validator: refuse a BSN that fails the elfproef (message without the value)."""
    if not bsn_is_valid(value):
        raise ValidationError(_("Dit is geen geldig BSN (elfproef)."), code="bsn_invalid")
