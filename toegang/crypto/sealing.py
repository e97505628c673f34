"""The sealed-value format: AES-256-GCM under a data key, bound to its place.

``seal`` returns ``version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)``.
The version byte names the format, not a key: values are sealed with the
household's data key, so rotating the key ring never touches them. The
associated data (table, column, row id, chosen by the field) and the version
byte are authenticated, so a value copied to another row or column, or any
changed byte, fails to open.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from django.utils.translation import gettext

from toegang.crypto.errors import SealedValueError

FORMAT_VERSION = 1
_HEADER = bytes([FORMAT_VERSION])
NONCE_BYTES = 12
_MIN_LENGTH = 1 + NONCE_BYTES + 16


def seal(cipher: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt ``plaintext`` with a fresh 96-bit random nonce."""
    nonce = os.urandom(NONCE_BYTES)
    return _HEADER + nonce + cipher.encrypt(nonce, plaintext, _HEADER + aad)


def open_sealed(cipher: AESGCM, blob: bytes, aad: bytes) -> bytes:
    """Decrypt ``blob``; the caller adds where (model, field, id) to the error message."""
    if len(blob) < _MIN_LENGTH:
        raise SealedValueError("sealed value is truncated")
    if blob[0] != FORMAT_VERSION:
        raise SealedValueError(f"unknown sealed format version {blob[0]}")
    try:
        return cipher.decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], blob[:1] + aad)
    except InvalidTag:
        raise SealedValueError(
            "sealed value does not open (moved from another row or column, "
            "changed, or sealed with another data key)"
        ) from None


class _Vernietigd:
    """What a sealed field reads as once its data key was destroyed (crypto-shredding).

    Renders as "gegevens vernietigd" in templates; the API serialises it as null
    with a ``vernietigd`` flag (see ``toegang.crypto.api``).
    """

    __slots__ = ()

    def __str__(self) -> str:
        return gettext("gegevens vernietigd")

    def __repr__(self) -> str:
        return "VERNIETIGD"

    def __reduce__(self) -> str:
        return "VERNIETIGD"


VERNIETIGD = _Vernietigd()


def is_vernietigd(value: object) -> bool:
    return value is VERNIETIGD
