"""Errors of the crypto package. Messages name tables, columns and ids, never values or keys."""

from __future__ import annotations


class CryptoError(Exception):
    """Base class for every error raised by ``toegang.crypto``."""


class KeyRingError(CryptoError):
    """The key ring is missing, malformed, or lacks a requested key version."""


class SealedValueError(CryptoError):
    """A sealed value cannot be opened: wrong row or column, tampered, or unknown format."""


class DataKeyDestroyedError(CryptoError):
    """The data key was destroyed (crypto-shredding); its ciphertext can never be opened."""
