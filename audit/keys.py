"""The audit key: which key seals the audit trail, and which checks a seal.

Where the keys come from is ``settings.AUDIT_KEY_PROVIDER``:

* ``keyring`` (default): the key ring (``KEYRING`` / ``KEYRING_FILE``), versioned
  and rotated with ``rotate_keys --audit``. A development ring made before audit
  keys existed gets one on first use (under a file lock, so two processes cannot
  each add a different key 1). Any other ring without an audit key is an error
  until ``rotate_keys --audit`` adds one;
* ``env``: ``settings.AUDIT_KEYS`` ("1:<base64>,2:<base64>", from the
  environment or a secret store that fills it), the highest version seals. For
  deployments that keep the audit key apart from the data keys; rotate by adding
  a version there (old versions stay, old seals are checked with them).
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hmac
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from toegang.crypto.errors import KeyRingError
from toegang.crypto.keyring import KEY_BYTES, SecretKey, get_keyring, save_keyring

PROVIDERS = ("keyring", "env")


def provider() -> str:
    value = str(getattr(settings, "AUDIT_KEY_PROVIDER", "") or "keyring").strip().lower()
    if value not in PROVIDERS:
        raise KeyRingError(f"AUDIT_KEY_PROVIDER {value!r} is onbekend: kies 'keyring' of 'env'")
    return value


def _env_keys() -> dict[int, SecretKey]:
    """The audit keys of ``settings.AUDIT_KEYS`` ("versie:base64,…")."""
    keys: dict[int, SecretKey] = {}
    for part in str(getattr(settings, "AUDIT_KEYS", "") or "").split(","):
        if not part.strip():
            continue
        version, sep, text = part.strip().partition(":")
        if not sep or not version.strip().isdigit():
            raise KeyRingError("AUDIT_KEYS: verwacht 'versie:base64' per sleutel, met komma's")
        try:
            material = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise KeyRingError(f"AUDIT_KEYS: sleutel {version} is geen base64") from None
        if len(material) != KEY_BYTES:
            raise KeyRingError(f"AUDIT_KEYS: sleutel {version} moet {KEY_BYTES} bytes zijn")
        keys[int(version)] = SecretKey(material)
    return keys


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
    if provider() == "env":
        keys = _env_keys()
        if not keys:
            raise KeyRingError(
                "AUDIT_KEYS is leeg (AUDIT_KEY_PROVIDER=env): er wordt niets verzegeld"
            )
        return max(keys), keys[max(keys)]
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
    if provider() == "env":
        keys = _env_keys()
        if version not in keys:
            raise KeyRingError(f"auditsleutel versie {version} ontbreekt in AUDIT_KEYS")
        return keys[version]
    try:
        return get_keyring().audit_key(version)
    except KeyRingError:
        return get_keyring(fresh=True).audit_key(version)


def _current_version() -> int | None:
    """The version that seals now, without side effects (0: a development ring adds one)."""
    if provider() == "env":
        keys = _env_keys()
        return max(keys) if keys else None
    ring = get_keyring()
    if ring.current_audit_version is None and ring.development:
        return 0
    return ring.current_audit_version


def key_status() -> dict[str, Any]:
    """For ``/healthz``: can the sealer sign, and does the newest seal match its key?

    Checks one seal's HMAC (no records), so a key ring restored with the wrong
    audit key shows at once, not only at the next ``audit_verify``. Never adds
    a key (the sealer does that for a development ring).
    """
    from audit import canonical
    from audit.models import AuditSeal

    try:
        current = _current_version()
    except KeyRingError as exc:
        return {"ok": False, "detail": _("auditsleutels niet te lezen: %(e)s") % {"e": exc}}
    seal = AuditSeal.objects.filter(versie__in=canonical.KEYED_SEALS).order_by("-last_id").first()
    if current is None:
        return {
            "ok": False,
            "detail": _(
                "geen auditsleutel: er wordt niets verzegeld; voer 'manage.py rotate_keys "
                "--audit' uit (of vul AUDIT_KEYS bij AUDIT_KEY_PROVIDER=env)"
            ),
        }
    result: dict[str, Any] = {"ok": True, "bron": provider(), "versie": current}
    if seal is None or seal.sleutelversie is None:
        return result
    try:
        key = checking_key(seal.sleutelversie)
    except KeyRingError:
        return {
            "ok": False,
            "detail": _(
                "auditsleutel versie %(v)d van de nieuwste zegel (%(id)d) ontbreekt in de "
                "sleutelbos: verkeerde sleutelbos teruggezet?"
            )
            % {"v": seal.sleutelversie, "id": seal.pk},
        }
    expected = canonical.seal_hash(
        versie=seal.versie,
        key=key.material,
        key_version=seal.sleutelversie,
        first_id=seal.first_id,
        last_id=seal.last_id,
        count=seal.count,
        records_hash=seal.records_hash,
        previous_hash=seal.previous_hash,
        sealed_at=seal.sealed_at,
    )
    if not hmac.compare_digest(expected, seal.seal_hash):
        return {
            "ok": False,
            "detail": _(
                "de nieuwste zegel (%(id)d) klopt niet met auditsleutel versie %(v)d: een andere "
                "sleutel met dat versienummer in de sleutelbos, of een nagemaakte zegel; "
                "voer 'manage.py audit_verify' uit"
            )
            % {"id": seal.pk, "v": seal.sleutelversie},
        }
    return result
