"""The audit key: which key of the key ring seals the audit trail, and which checks a seal.

A development ring made before audit keys existed gets one on first use (under
a file lock, so two processes cannot each add a different key 1). Any other
ring without an audit key is an error until ``rotate_keys --audit`` adds one.
"""

from __future__ import annotations

import fcntl
import hmac
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

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


def key_status() -> dict[str, Any]:
    """For ``/healthz``: can the sealer sign, and does the newest seal match its key?

    Checks one seal's HMAC (no records), so a key ring restored with the wrong
    audit key shows at once, not only at the next ``audit_verify``. Never adds
    a key (the sealer does that for a development ring).
    """
    from audit import canonical
    from audit.models import AuditSeal

    try:
        ring = get_keyring()
    except KeyRingError as exc:
        return {"ok": False, "detail": _("sleutelbos niet te lezen: %(e)s") % {"e": exc}}
    seal = AuditSeal.objects.filter(versie__in=canonical.KEYED_SEALS).order_by("-last_id").first()
    if ring.current_audit_version is None and not ring.development:
        return {
            "ok": False,
            "detail": _(
                "geen auditsleutel in de sleutelbos: er wordt niets verzegeld; "
                "voer 'manage.py rotate_keys --audit' uit"
            ),
        }
    result: dict[str, Any] = {"ok": True, "versie": ring.current_audit_version}
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
