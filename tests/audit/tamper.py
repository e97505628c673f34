"""Play the attacker with database rights: switch the append-only triggers off."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from audit import canonical
from audit.db import TABLES, install_triggers
from audit.models import AuditSeal
from audit.sealing import records_hash_between


@contextmanager
def triggers_off() -> Iterator[None]:
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            install_triggers(connection)


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def reseal_from(seal_index: int, *, versie: int, key: bytes | None, key_version: int | None):
    """The attacker's reseal: recompute every seal from ``seal_index`` on with the
    database's own data (records hashes, ids, times), with the given key."""
    seals = list(AuditSeal.objects.order_by("last_id"))
    previous = seals[seal_index - 1].seal_hash if seal_index else canonical.GENESIS
    after_id = seals[seal_index - 1].last_id if seal_index else 0
    with triggers_off():
        for seal in seals[seal_index:]:
            count, digest = records_hash_between(after_id, seal.last_id, versie=versie)
            new_hash = canonical.seal_hash(
                versie=versie,
                key=key,
                key_version=key_version,
                first_id=seal.first_id,
                last_id=seal.last_id,
                count=count,
                records_hash=digest,
                previous_hash=previous,
                sealed_at=seal.sealed_at,
            )
            raw(
                "UPDATE audit_auditseal SET versie = %s, sleutelversie = %s, count = %s, "
                "records_hash = %s, previous_hash = %s, seal_hash = %s WHERE id = %s",
                [versie, key_version, count, digest, previous, new_hash, seal.pk],
            )
            previous, after_id = new_hash, seal.last_id
