"""The key ring: versioned key-encryption keys (KEKs), the blind-index key, the audit keys.

It lives outside the database: in ``settings.KEYRING`` (a JSON string, e.g. from
a secret in the environment) or in the file ``settings.KEYRING_FILE``. The
embedded default (``settings.KEYRING_GENERATE_DEV``) generates a ring on first
use, writes it to ``KEYRING_FILE`` with mode 0600 and marks it
``"development": true``; production settings refuse such a ring.

File format (all keys 32 random bytes, base64)::

    {"format": 1, "development": false, "current_kek": 2,
     "keks": {"1": "...", "2": "..."},
     "blind_index_key": "...", "blind_index_key_next": "..." (only during rotation),
     "current_audit_key": 1, "audit_keys": {"1": "..."}}

The audit keys sign the seals of the audit trail (HMAC, see ``audit.canonical``).
Every version stays in the ring: old seals are checked with the key that made
them. A ring written before audit keys existed has none; a development ring gets
one on first use, any other needs ``rotate_keys --audit``.

Key bytes never appear in reprs, logs or exception messages.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from toegang.crypto.errors import KeyRingError
from toegang.logging import get_logger

log = get_logger(__name__)

FORMAT = 1
KEY_BYTES = 32
#: How often a process looks at the key ring file for changes (rotation by another process).
RELOAD_CHECK_SECONDS = 1.0


class SecretKey:
    """32 bytes of key material that never shows itself in a repr, str or pickle."""

    __slots__ = ("_material",)

    def __init__(self, material: bytes) -> None:
        if not isinstance(material, bytes) or len(material) != KEY_BYTES:
            raise KeyRingError(f"a key must be {KEY_BYTES} bytes")
        self._material = material

    @classmethod
    def generate(cls) -> SecretKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @property
    def material(self) -> bytes:
        return self._material

    def __repr__(self) -> str:
        return "SecretKey(<verborgen>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("key material cannot be pickled")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretKey):
            return NotImplemented
        return hmac.compare_digest(self._material, other._material)

    def __hash__(self) -> int:
        return id(self)


def _decode_key(text: Any, what: str) -> SecretKey:
    try:
        material = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"key ring: {what} is not valid base64") from None
    if len(material) != KEY_BYTES:
        raise KeyRingError(f"key ring: {what} must be {KEY_BYTES} bytes")
    return SecretKey(material)


def _encode_key(key: SecretKey) -> str:
    return base64.b64encode(key.material).decode("ascii")


@dataclass(frozen=True, repr=False)
class KeyRing:
    development: bool
    current_version: int
    keks: Mapping[int, SecretKey]
    blind_index_key: SecretKey
    blind_index_key_next: SecretKey | None = None
    audit_keys: Mapping[int, SecretKey] = field(default_factory=dict)
    current_audit_version: int | None = None
    _ciphers: dict[int, AESGCM] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.current_version not in self.keks:
            raise KeyRingError(f"key ring: current KEK version {self.current_version} is missing")
        if self.current_audit_version is not None and (
            self.current_audit_version not in self.audit_keys
        ):
            raise KeyRingError(
                f"key ring: current audit key version {self.current_audit_version} is missing"
            )

    def __repr__(self) -> str:
        return (
            f"KeyRing(versions={sorted(self.keks)}, current={self.current_version}, "
            f"audit={sorted(self.audit_keys)}, development={self.development})"
        )

    @property
    def versions(self) -> list[int]:
        return sorted(self.keks)

    def kek_cipher(self, version: int) -> AESGCM:
        """The AES-GCM object of KEK ``version``, built once per ring."""
        cipher = self._ciphers.get(version)
        if cipher is None:
            key = self.keks.get(version)
            if key is None:
                raise KeyRingError(f"KEK version {version} is not in the key ring")
            cipher = self._ciphers[version] = AESGCM(key.material)
        return cipher

    def audit_key(self, version: int) -> SecretKey:
        """Audit key ``version`` (to check a seal made with it)."""
        key = self.audit_keys.get(version)
        if key is None:
            raise KeyRingError(f"audit key version {version} is not in the key ring")
        return key

    def current_audit_key(self) -> tuple[int, SecretKey]:
        """(version, key) to seal with now."""
        if self.current_audit_version is None:
            raise KeyRingError("the key ring has no audit key; run rotate_keys --audit")
        return self.current_audit_version, self.audit_keys[self.current_audit_version]

    # -- changes return a new ring ------------------------------------------------

    @classmethod
    def generate(cls, *, development: bool) -> KeyRing:
        return cls(
            development=development,
            current_version=1,
            keks={1: SecretKey.generate()},
            blind_index_key=SecretKey.generate(),
            audit_keys={1: SecretKey.generate()},
            current_audit_version=1,
        )

    def with_new_audit_key(self) -> KeyRing:
        version = max(self.audit_keys, default=0) + 1
        return replace(
            self,
            audit_keys={**self.audit_keys, version: SecretKey.generate()},
            current_audit_version=version,
            _ciphers={},
        )

    def with_new_kek(self) -> KeyRing:
        version = max(self.keks) + 1
        return replace(
            self,
            current_version=version,
            keks={**self.keks, version: SecretKey.generate()},
            _ciphers={},
        )

    def without_kek(self, version: int) -> KeyRing:
        if version == self.current_version:
            raise KeyRingError(f"KEK version {version} is the current version")
        if version not in self.keks:
            raise KeyRingError(f"KEK version {version} is not in the key ring")
        keks = {v: k for v, k in self.keks.items() if v != version}
        return replace(self, keks=keks, _ciphers={})

    def with_blind_index_next(self) -> KeyRing:
        if self.blind_index_key_next is not None:
            return self
        return replace(self, blind_index_key_next=SecretKey.generate(), _ciphers={})

    def with_blind_index_promoted(self) -> KeyRing:
        if self.blind_index_key_next is None:
            raise KeyRingError("key ring: no next blind-index key to promote")
        return replace(
            self, blind_index_key=self.blind_index_key_next, blind_index_key_next=None, _ciphers={}
        )

    # -- serialisation ------------------------------------------------------------

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": FORMAT,
            "development": self.development,
            "current_kek": self.current_version,
            "keks": {str(v): _encode_key(k) for v, k in sorted(self.keks.items())},
            "blind_index_key": _encode_key(self.blind_index_key),
        }
        if self.blind_index_key_next is not None:
            data["blind_index_key_next"] = _encode_key(self.blind_index_key_next)
        if self.current_audit_version is not None:
            data["current_audit_key"] = self.current_audit_version
            data["audit_keys"] = {
                str(v): _encode_key(k) for v, k in sorted(self.audit_keys.items())
            }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        try:
            data = json.loads(text)
        except ValueError:
            raise KeyRingError("key ring is not valid JSON") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise KeyRingError(f"key ring: expected an object with format {FORMAT}")
        try:
            keks = {int(v): _decode_key(k, f"KEK {v}") for v, k in dict(data["keks"]).items()}
            current = int(data["current_kek"])
            blind = _decode_key(data["blind_index_key"], "blind_index_key")
        except (KeyError, TypeError, ValueError):
            raise KeyRingError("key ring: keks, current_kek or blind_index_key missing") from None
        nxt = data.get("blind_index_key_next")
        try:
            audit_keys = {
                int(v): _decode_key(k, f"audit key {v}")
                for v, k in dict(data.get("audit_keys") or {}).items()
            }
            current_audit = data.get("current_audit_key")
            current_audit = int(current_audit) if current_audit is not None else None
        except (TypeError, ValueError):
            raise KeyRingError("key ring: audit_keys or current_audit_key malformed") from None
        return cls(
            development=bool(data.get("development", False)),
            current_version=current,
            keks=keks,
            blind_index_key=blind,
            blind_index_key_next=_decode_key(nxt, "blind_index_key_next") if nxt else None,
            audit_keys=audit_keys,
            current_audit_version=current_audit,
        )


def read_keyring(*, keyring: str, keyring_file: str) -> KeyRing:
    """Parse the ring from the JSON string if given, else from the file. No generation."""
    if keyring:
        return KeyRing.from_json(keyring)
    if not keyring_file:
        raise KeyRingError("no key ring configured: set KEYRING or KEYRING_FILE")
    try:
        text = Path(keyring_file).read_text(encoding="utf-8")
    except OSError:
        raise KeyRingError("key ring file cannot be read (KEYRING_FILE)") from None
    return KeyRing.from_json(text)


def write_keyring_file(ring: KeyRing, path: str | Path, *, overwrite: bool) -> None:
    """Write ``ring`` to ``path`` with mode 0600, atomically (temp file + rename)."""
    target = Path(path)
    if not overwrite and target.exists():
        raise FileExistsError("key ring file exists already")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(ring.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if another process created it meanwhile
            os.unlink(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _generate_development_ring(path: Path) -> None:
    try:
        write_keyring_file(KeyRing.generate(development=True), path, overwrite=False)
    except FileExistsError:
        return  # another process was first; use its ring
    log.warning(
        "keyring_development_generated",
        path=str(path),
        detail="demo keys generated for the embedded default; never use them in production",
    )


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.warned = False
        self.ring: KeyRing | None = None
        self.signature: tuple[int, int, int] | None = None
        self.checked_at = 0.0


_cache = _Cache()


def _file_signature(path: str) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def get_keyring(*, fresh: bool = False) -> KeyRing:
    """The key ring of this process, reloaded when the file changes.

    The file is looked at no more than once per second, or now with ``fresh``
    (before wrapping a key, and when a KEK version is unknown). Changing the
    ``KEYRING*`` settings (tests) resets the cache through ``setting_changed``.
    """
    ring = _cache.ring
    if (
        ring is not None
        and not fresh
        and (
            _cache.signature is None or time.monotonic() - _cache.checked_at < RELOAD_CHECK_SECONDS
        )
    ):
        return ring
    keyring = getattr(settings, "KEYRING", "") or ""
    keyring_file = getattr(settings, "KEYRING_FILE", "") or ""
    with _cache.lock:
        now = time.monotonic()
        ring = _cache.ring
        if ring is not None and (keyring or _file_signature(keyring_file) == _cache.signature):
            _cache.checked_at = now
            return ring
        if not keyring and keyring_file and not os.path.exists(keyring_file):
            if not getattr(settings, "KEYRING_GENERATE_DEV", False):
                raise KeyRingError("key ring file does not exist (KEYRING_FILE)")
            _generate_development_ring(Path(keyring_file))
        ring = read_keyring(keyring=keyring, keyring_file=keyring_file)
        if ring.development and not _cache.warned:
            _cache.warned = True
            log.warning("keyring_development_in_use", detail="demo keys, not for production")
        _cache.ring, _cache.checked_at = ring, now
        _cache.signature = None if keyring else _file_signature(keyring_file)
        return ring


def save_keyring(ring: KeyRing) -> Path:
    """Replace the configured key ring file with ``ring`` (rotation, retirement)."""
    if getattr(settings, "KEYRING", ""):
        raise KeyRingError(
            "the key ring comes from the KEYRING setting and cannot be changed here; "
            "use KEYRING_FILE for rotation (see docs/security.md)"
        )
    path = Path(settings.KEYRING_FILE)
    write_keyring_file(ring, path, overwrite=True)
    reset_keyring_cache()
    return path


def reset_keyring_cache() -> None:
    with _cache.lock:
        _cache.ring, _cache.signature, _cache.checked_at = None, None, 0.0


@receiver(setting_changed)
def _keyring_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("KEYRING"):
        reset_keyring_cache()
