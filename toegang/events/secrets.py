"""Sealing webhook secrets at rest (AES-GCM, key derived from ``SECRET_KEY``).

The secret must be readable by the relay to sign deliveries, so it cannot be
hashed; it is sealed with a key that is not in the database, bound to its row
(associated data), and never shown again after it is issued.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from django.conf import settings

_NONCE = 12
_INFO = b"toegang.events.webhook-secret.v1"
_cipher: tuple[str, AESGCM] | None = None


def _aead() -> AESGCM:
    global _cipher
    if _cipher is None or _cipher[0] != settings.SECRET_KEY:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            settings.SECRET_KEY.encode("utf-8")
        )
        _cipher = (settings.SECRET_KEY, AESGCM(key))
    return _cipher[1]


def seal(secret: str, *, bound_to: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + _aead().encrypt(nonce, secret.encode("utf-8"), bound_to.encode("utf-8"))


def unseal(sealed: bytes | memoryview, *, bound_to: str) -> str:
    data = bytes(sealed)
    return _aead().decrypt(data[:_NONCE], data[_NONCE:], bound_to.encode("utf-8")).decode("utf-8")
