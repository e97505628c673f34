"""Blind indexes: HMAC-SHA256 with the key ring's blind-index key over normalised values.

They make exact lookups possible without decrypting ("is this BSN already
known?"), and reveal nothing without the key. With the key, a low-entropy value
(a BSN, a name with a date of birth, a postcode with a house number) can be
guessed by trying candidates: the key is as sensitive as the KEKs.

Normalisation, decided here once for every caller:

* **BSN**: digits only; 8 digits get their leading zero back.
* **Achternaam**: case-folded, diacritics removed (also ø, æ, ł, ...), a
  register form "Berg, van der" turned round, split into words at anything that
  is not a letter or digit (spaces, hyphens, apostrophes), the leading
  tussenvoegsels dropped ("van der Berg", "Van der Berg" and "berg" are equal;
  "'t Hart" is "hart", "d'Ancona" is "ancona"), the rest joined without
  separators ("Jansen-de Vries" is "jansendevries"). A name made only of
  tussenvoegsels keeps its last word.
* **Postcode**: spaces removed, upper case ("1234 ab" is "1234AB").
* **Huisnummer**: number and addition, separated by "-" ("12a", "12 A" and
  "12-a" are "12-A"; "12-3" stays apart from "123").

Each index uses its own domain prefix, so equal inputs of different kinds never
collide. Functions return 64 hex characters, or None when there is nothing to index.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from datetime import date

from toegang.crypto.bsn import bsn_normalise
from toegang.crypto.keyring import SecretKey, get_keyring

#: Dutch (and common foreign) voorvoegsels, after folding and without apostrophes.
TUSSENVOEGSELS = frozenset(
    """
    aan af bij d da das de del della den der des di die do dos du het in l la le les
    lo los of op over s t te ten ter tho thoe thor to toe tot uit uijt uyt van vd von
    vom zu zum zur am auf im
    """.split()  # noqa: SIM905  (readable as a block of words)
)

_NOT_DECOMPOSED = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ß": "ss"}
)
_WORD = re.compile(r"[^\W_]+")
_HOUSE_NUMBER = re.compile(r"\s*0*(\d+)(.*)", re.DOTALL)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(_NOT_DECOMPOSED)


def normalise_achternaam(achternaam: str) -> str:
    """The surname as compared by the blind index (see the module docstring)."""
    text = achternaam
    for _ in range(4):  # folding is a fixpoint after one or two passes, even for odd Unicode
        folded = _fold(text)
        if folded == text:
            break
        text = folded
    if "," in text:
        head, _sep, tail = text.partition(",")
        text = f"{tail} {head}"
    words = _WORD.findall(text)
    while len(words) > 1 and words[0] in TUSSENVOEGSELS:
        words.pop(0)
    return "".join(words)


def normalise_postcode(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def normalise_huisnummer(huisnummer: str) -> str:
    """Normalise: "12 a" → "12-A", "0012" → "12"; no leading number: upper-case letters/digits."""
    match = _HOUSE_NUMBER.fullmatch(huisnummer)
    if match is None:
        return "".join(_WORD.findall(huisnummer)).upper()
    number, rest = match.groups()
    addition = "".join(_WORD.findall(rest)).upper()
    return f"{number}-{addition}" if addition else number


@functools.lru_cache(maxsize=8)
def _hmac_base(key: SecretKey) -> hmac.HMAC:
    return hmac.new(key.material, digestmod=hashlib.sha256)


def _mac(domain: bytes, value: str, key: SecretKey | None) -> str:
    mac = _hmac_base(key or get_keyring().blind_index_key).copy()
    mac.update(domain + b"\x00" + value.encode("utf-8"))
    return mac.hexdigest()


def blind_index_bsn(bsn: str, *, key: SecretKey | None = None) -> str | None:
    digits = bsn_normalise(bsn)
    return _mac(b"bsn", digits, key) if digits else None


def blind_index_naam_geboortedatum(
    achternaam: str, geboortedatum: date, *, key: SecretKey | None = None
) -> str | None:
    naam = normalise_achternaam(achternaam)
    if not naam or geboortedatum is None:
        return None
    return _mac(b"naam_geboortedatum", f"{naam}\x00{geboortedatum.isoformat()}", key)


def blind_index_postcode_huisnummer(
    postcode: str, huisnummer: str, *, key: SecretKey | None = None
) -> str | None:
    pc, nr = normalise_postcode(postcode), normalise_huisnummer(huisnummer)
    if not pc or not nr:
        return None
    return _mac(b"postcode_huisnummer", f"{pc}\x00{nr}", key)


#: The kinds a ``BlindIndexField`` can compute, by name (stable: used in migrations).
BLIND_INDEXES: dict[str, Callable[..., str | None]] = {
    "bsn": blind_index_bsn,
    "naam_geboortedatum": blind_index_naam_geboortedatum,
    "postcode_huisnummer": blind_index_postcode_huisnummer,
}
