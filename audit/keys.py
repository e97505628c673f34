"""The audit key: which key of the key ring seals the audit trail, and which checks a seal.

A development ring made before audit keys existed gets one on first use (under
a file lock, so two processes cannot each add a different key 1). Any other
ring without an audit key is an error until ``rotate_keys --audit`` adds one.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from django.conf import settings

from toegang.crypto.errors import KeyRingError
from toegang.crypto.keyring import SecretKey, get_keyring, save_keyring


def _add_development_key() -> None:
    path = Path(settings.KEYRING_FILE)
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ring = get_keyring(fresh=True)
        if ring.current_audit_version is None:
            save_keyring(ring.with_new_audit_key())


def sealing_key() -> tuple[int, SecretKey]:
    """(version, key) the sealer signs with now; raises KeyRingError when there is none."""
    ring = get_keyring()
    if ring.current_audit_version is None:
        ring = get_keyring(fresh=True)
    from_file = bool(getattr(settings, "KEYRING_FILE", "")) and not getattr(settings, "KEYRING", "")
    if ring.current_audit_version is None and ring.development and from_file:
        _add_development_key()
        ring = get_keyring(fresh=True)
    return ring.current_audit_key()


def checking_key(version: int) -> SecretKey:
    """Audit key ``version``, to check a seal; raises KeyRingError when it is not in the ring."""
    try:
        return get_keyring().audit_key(version)
    except KeyRingError:
        return get_keyring(fresh=True).audit_key(version)
