"""Data keys: create, wrap and unwrap with the key ring, destroy; a bounded cache of ciphers.

Unwrapped keys live only in this process, as ``AESGCM`` objects in an LRU keyed
by (data key id, KEK version), so each key is unwrapped and its cipher built
once, not per value. A destroyed key is never served: callers pass the
``DataKey`` row, and its state is checked before the cache.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections import OrderedDict
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from django.conf import settings
from django.utils import timezone

from toegang.crypto.errors import DataKeyDestroyedError, KeyRingError
from toegang.crypto.keyring import KeyRing, get_keyring
from toegang.crypto.models import DataKey
from toegang.inserts import insert

NONCE_BYTES = 12
DATA_KEY_BYTES = 32
DEFAULT_CACHE_SIZE = 4096
CIPHER_MEMO = "_cipher_memo"


class _CipherCache:
    """A small thread-safe LRU of ``AESGCM`` objects keyed by (data key id, KEK version)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[uuid.UUID, int], AESGCM] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[uuid.UUID, int]) -> AESGCM | None:
        with self._lock:
            cipher = self._items.get(key)
            if cipher is not None:
                self._items.move_to_end(key)
            return cipher

    def put(self, key: tuple[uuid.UUID, int], cipher: AESGCM) -> None:
        with self._lock:
            self._items[key] = cipher
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def evict(self, data_key_id: uuid.UUID) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == data_key_id]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


cipher_cache = _CipherCache(getattr(settings, "CRYPTO_DATA_KEY_CACHE_SIZE", DEFAULT_CACHE_SIZE))


def _wrap_aad(data_key_id: uuid.UUID, version: int) -> bytes:
    return b"toegang.datakey\x00" + data_key_id.bytes + version.to_bytes(4, "big")


def _kek_for(version: int) -> AESGCM:
    ring = get_keyring()
    if version not in ring.keks:
        ring = get_keyring(fresh=True)  # another process may have rotated the ring
    return ring.kek_cipher(version)


def wrap(material: bytes, *, data_key_id: uuid.UUID, ring: KeyRing) -> bytes:
    """Wrap key ``material`` with the ring's current KEK: nonce + ciphertext + tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    aad = _wrap_aad(data_key_id, ring.current_version)
    return nonce + ring.kek_cipher(ring.current_version).encrypt(nonce, material, aad)


def unwrap(data_key: DataKey) -> bytes:
    """The raw data key. Only for this package (cipher cache and rotation)."""
    if data_key.is_destroyed:
        raise DataKeyDestroyedError(f"data key {data_key.pk} was destroyed")
    blob = bytes(data_key.wrapped)
    version = data_key.kek_version
    kek = _kek_for(version)
    try:
        return kek.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _wrap_aad(data_key.pk, version))
    except InvalidTag:
        raise KeyRingError(
            f"data key {data_key.pk} does not open with KEK version {version} (wrong key ring?)"
        ) from None


def data_key_create() -> DataKey:
    """Create and save a fresh random data key, wrapped with the current KEK."""
    ring = get_keyring(fresh=True)
    data_key = DataKey(id=uuid.uuid4(), kek_version=ring.current_version)
    material = secrets.token_bytes(DATA_KEY_BYTES)
    data_key.wrapped = wrap(material, data_key_id=data_key.pk, ring=ring)
    insert(data_key)
    cipher_cache.put((data_key.pk, data_key.kek_version), AESGCM(material))
    return data_key


def data_key_cipher(data_key: DataKey) -> AESGCM:
    """The cipher of ``data_key``; raises ``DataKeyDestroyedError`` after shredding.

    Remembered on the row object too, so the fields of one row share one lookup.
    """
    if data_key.is_destroyed:
        raise DataKeyDestroyedError(f"data key {data_key.pk} was destroyed")
    memo = data_key.__dict__.get(CIPHER_MEMO)
    if memo is not None and memo[0] == data_key.kek_version:
        return memo[1]
    cache_key = (data_key.pk, data_key.kek_version)
    cipher = cipher_cache.get(cache_key)
    if cipher is None:
        cipher = AESGCM(unwrap(data_key))
        cipher_cache.put(cache_key, cipher)
    data_key.__dict__[CIPHER_MEMO] = (data_key.kek_version, cipher)
    return cipher


def column_cipher(
    data_key_id: uuid.UUID, kek_version: int, wrapped: bytes, destroyed_at: datetime | None
) -> AESGCM:
    """``data_key_cipher`` of a data key read as columns (a ``values_list`` row) instead of
    a ``DataKey``: the same checks, and no model instance while its cipher is cached."""
    if destroyed_at is not None or not wrapped:  # DataKey.is_destroyed
        raise DataKeyDestroyedError(f"data key {data_key_id} was destroyed")
    cipher = cipher_cache.get((data_key_id, kek_version))
    if cipher is None:
        data_key = DataKey(
            id=data_key_id, kek_version=kek_version, wrapped=wrapped, destroyed_at=destroyed_at
        )
        cipher = data_key_cipher(data_key)
    return cipher


def data_key_rewrap(data_key: DataKey, *, ring: KeyRing) -> None:
    """Re-wrap ``data_key`` in memory with the ring's current KEK (caller saves)."""
    material = unwrap(data_key)
    data_key.wrapped = wrap(material, data_key_id=data_key.pk, ring=ring)
    data_key.kek_version = ring.current_version


def data_key_destroy(data_key: DataKey) -> None:
    """Crypto-shredding: overwrite the wrapped key and mark it destroyed (caller's transaction)."""
    data_key.wrapped = b""
    data_key.destroyed_at = timezone.now()
    data_key.save(update_fields=["wrapped", "destroyed_at"])
    data_key.__dict__.pop(CIPHER_MEMO, None)
    cipher_cache.evict(data_key.pk)
