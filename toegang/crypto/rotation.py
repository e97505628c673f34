"""Key rotation: new KEK versions, re-wrapping data keys, retiring KEKs, a new blind-index
key, a new audit key.

Rotating the KEK re-wraps data keys only (a few dozen bytes each); sealed
values are untouched. It is resumable: data keys still wrapped by an older
version are picked up again by the next run, and the app keeps working
throughout, because every version stays in the ring until it is retired.

Rotating the blind-index key is the rare, heavy case: it decrypts the source
values of every indexed row and recomputes the index columns. Run it in a
maintenance window (lookups made during the run may miss rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction

from audit.models import Actie, Doel
from audit.services import record
from toegang.crypto.datakeys import data_key_rewrap
from toegang.crypto.errors import KeyRingError
from toegang.crypto.fields import BlindIndexField
from toegang.crypto.keyring import KeyRing, get_keyring, save_keyring
from toegang.crypto.models import DataKey
from toegang.logging import get_logger

log = get_logger(__name__)

Progress = Callable[[int, int], None]  # (done, total)
SYSTEM = "systeem:rotate_keys"


@dataclass(frozen=True)
class RotationResult:
    added_version: int | None
    current_version: int
    rewrapped: int
    remaining: int


def _pending(ring: KeyRing) -> models.QuerySet[DataKey]:
    return DataKey.objects.filter(destroyed_at__isnull=True).exclude(
        kek_version=ring.current_version
    )


def _audit(reden: str, object_id: str) -> None:
    with transaction.atomic():
        record(
            actor=None,
            username=SYSTEM,
            actie=Actie.KEY_ROTATION,
            doel=Doel.BEHEER,
            object_type="keyring",
            object_id=object_id,
            reden=reden,
        )


def kek_rotate(
    *, batch_size: int = 500, max_batches: int | None = None, progress: Progress | None = None
) -> RotationResult:
    """Add a KEK version (unless a previous run left data keys to re-wrap), then re-wrap."""
    ring = get_keyring(fresh=True)
    added = None
    if not _pending(ring).exists():
        ring = ring.with_new_kek()
        save_keyring(ring)
        added = ring.current_version
        log.info("kek_added", version=added)
    rewrapped = kek_rewrap(
        ring=ring, batch_size=batch_size, max_batches=max_batches, progress=progress
    )
    remaining = _pending(ring).count()
    _audit(
        f"KEK v{ring.current_version}: {rewrapped} gegevenssleutels opnieuw verpakt, "
        f"{remaining} te gaan",
        f"kek-v{ring.current_version}",
    )
    return RotationResult(added, ring.current_version, rewrapped, remaining)


def kek_rewrap(
    *,
    ring: KeyRing,
    batch_size: int = 500,
    max_batches: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Re-wrap data keys not on the ring's current KEK, one transaction per batch."""
    total = _pending(ring).count()
    done = batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            batch = list(_pending(ring).select_for_update().order_by("id")[:batch_size])
            if not batch:
                break
            for data_key in batch:
                data_key_rewrap(data_key, ring=ring)
            DataKey.objects.bulk_update(batch, ["wrapped", "kek_version"])
        done += len(batch)
        batches += 1
        if progress is not None:
            progress(done, total)
    return done


def audit_key_rotate() -> int:
    """Add an audit key version and make it the one new seals use; returns it.

    Older versions stay in the ring for good: the seals they made are checked
    with them. There is no retiring of audit keys.
    """
    ring = get_keyring(fresh=True).with_new_audit_key()
    save_keyring(ring)
    version = ring.current_audit_version
    assert version is not None
    log.info("audit_key_added", version=version)
    _audit(f"auditsleutel v{version} toegevoegd; nieuwe zegels gebruiken deze", f"audit-v{version}")
    return version


def kek_retire(*, version: int) -> None:
    """Remove KEK ``version`` from the ring; refused while any data key still uses it."""
    ring = get_keyring(fresh=True)
    if version == ring.current_version:
        raise KeyRingError(f"KEK version {version} is the current version")
    if version not in ring.keks:
        raise KeyRingError(f"KEK version {version} is not in the key ring")
    in_use = DataKey.objects.filter(kek_version=version, destroyed_at__isnull=True).count()
    if in_use:
        raise KeyRingError(
            f"KEK version {version} still wraps {in_use} data keys; run rotate_keys first"
        )
    save_keyring(ring.without_kek(version))
    log.info("kek_retired", version=version)
    _audit(f"KEK v{version} uit de sleutelbos verwijderd", f"kek-v{version}")


def _indexed_models() -> list[tuple[type[models.Model], list[BlindIndexField]]]:
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
        if fields:
            found.append((model, fields))
    return found


def blind_index_rotate(*, batch_size: int = 500, progress: Progress | None = None) -> int:
    """Generate a new blind-index key, recompute every index column with it, then switch.

    Resumable: an interrupted run leaves the new key as ``blind_index_key_next``
    and the next run recomputes with that same key.
    """
    ring = get_keyring(fresh=True).with_blind_index_next()
    save_keyring(ring)
    key = ring.blind_index_key_next
    targets = _indexed_models()
    total = sum(model._default_manager.count() for model, _ in targets)
    done = 0
    for model, fields in targets:
        last = None
        while True:
            queryset = model._default_manager.order_by("pk")
            if last is not None:
                queryset = queryset.filter(pk__gt=last)
            with transaction.atomic():
                rows = list(queryset.select_for_update(of=("self",))[:batch_size])
                if not rows:
                    break
                for row in rows:
                    for field in fields:
                        setattr(row, field.attname, field.compute(row, key=key))
                model._default_manager.bulk_update(rows, [f.name for f in fields])
            last = rows[-1].pk
            done += len(rows)
            if progress is not None:
                progress(done, total)
    save_keyring(get_keyring(fresh=True).with_blind_index_promoted())
    log.info("blind_index_key_rotated", rows=done)
    _audit(f"blindeindexsleutel vervangen, {done} rijen herberekend", "blind-index")
    return done
