"""Reference codes a melder can quote: random, non-sequential, without personal data.

"BT-7KQ4-M2XP": eight characters from an alphabet without look-alikes (no 0/O,
1/I/L, U/V), 29^8 ≈ 5 × 10^11 codes. Typed in any case, with or without the
dashes and the "BT" prefix, it still parses; a look-alike is never part of a code.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
_LOOK_ALIKES = str.maketrans({"0": "", "O": "", "1": "", "I": "", "L": "", "U": "", "V": ""})
PREFIX = "BT"
LENGTH = 8
_SHAPE = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def referentie_new() -> str:
    """A fresh random code; uniqueness is enforced by the database."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{PREFIX}-{chars[:4]}-{chars[4:]}"


def referentie_parse(text: str) -> str | None:
    """The canonical code for what someone typed, or None if it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if cleaned.startswith(PREFIX) and len(cleaned) == LENGTH + len(PREFIX):
        cleaned = cleaned[len(PREFIX) :]
    if len(cleaned) != LENGTH or cleaned != cleaned.translate(_LOOK_ALIKES):
        return None
    code = f"{PREFIX}-{cleaned[:4]}-{cleaned[4:]}"
    return code if _SHAPE.match(code) else None
