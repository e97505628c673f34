"""The app role of a deployment cannot rewrite the audit trail (PostgreSQL only).

Roles are made in the test database the way ``manage.py db_roles`` makes them;
the app role then connects on its own and tries every way to change audit rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import psycopg
import pytest

from django.db import connection

from audit.db import TABLES as AUDIT_TABLES
from audit.models import Actie, AuditRecord, Doel
from audit.services import record
from toegang import db_roles

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _conninfo(**overrides: str) -> dict[str, str]:
    settings = connection.settings_dict
    info = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": str(settings["PORT"] or 5432),
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"] or "",
    }
    info.update(overrides)
    return info


@pytest.fixture
def roles() -> Iterator[tuple[db_roles.Role, db_roles.Role]]:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    # Roles are cluster-wide: names unique per test database, so parallel runs don't meet.
    suffix = hashlib.sha256(connection.settings_dict["NAME"].encode()).hexdigest()[:8]
    owner = db_roles.Role(f"bt_owner_{suffix}", "owner-test-wachtwoord")
    app = db_roles.Role(f"bt_app_{suffix}", "app-test-wachtwoord")
    with psycopg.connect(**_conninfo(), autocommit=True) as admin, admin.cursor() as cursor:
        db_roles.create_roles(cursor, connection.settings_dict["NAME"], owner, app)
        db_roles.grant_app(cursor, owner, app)
    yield owner, app
    with psycopg.connect(**_conninfo(), autocommit=True) as admin, admin.cursor() as cursor:
        for role in (app, owner):
            cursor.execute(f'DROP OWNED BY "{role.name}"')
            cursor.execute(f'DROP ROLE "{role.name}"')


@pytest.fixture
def app_cursor(roles) -> Iterator[psycopg.Cursor]:
    _, app = roles
    info = _conninfo(user=app.name, password=app.password)
    with psycopg.connect(**info) as conn, conn.cursor() as cursor:
        yield cursor


def _denied(cursor: psycopg.Cursor, statement: str) -> None:
    cursor.execute("SAVEPOINT attempt")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as exc:
        cursor.execute(statement)
    cursor.execute("ROLLBACK TO SAVEPOINT attempt")
    # The privilege check refuses it, not (only) the append-only trigger.
    assert "permission denied" in str(exc.value) or "must be owner" in str(exc.value)


@pytest.fixture
def rec() -> AuditRecord:
    return record(actor=None, actie=Actie.READ, doel=Doel.INTAKE, object_type="casus")


def test_app_role_may_read_and_append_audit_rows_only(roles):
    _, app = roles
    with psycopg.connect(**_conninfo(), autocommit=True) as admin, admin.cursor() as cursor:
        privileges = db_roles.app_privileges(cursor, app)
    for table in AUDIT_TABLES:
        assert privileges[table] == {"SELECT", "INSERT"}, table
    others = {t: p for t, p in privileges.items() if t not in AUDIT_TABLES}
    assert "casussen_casus" in others
    for table, granted in others.items():
        assert granted == {"SELECT", "INSERT", "UPDATE", "DELETE"}, table


def test_app_role_reads_audit_rows(app_cursor, rec):
    app_cursor.execute("SELECT count(*) FROM audit_auditrecord WHERE id = %s", [rec.pk])
    assert app_cursor.fetchone() == (1,)


def test_app_role_cannot_update_audit_rows(app_cursor, rec):
    for table in AUDIT_TABLES:
        _denied(app_cursor, f"UPDATE {table} SET id = id")  # noqa: S608
    assert AuditRecord.objects.get(pk=rec.pk).reden == rec.reden


def test_app_role_cannot_delete_audit_rows(app_cursor, rec):
    for table in AUDIT_TABLES:
        _denied(app_cursor, f"DELETE FROM {table}")  # noqa: S608
    assert AuditRecord.objects.filter(pk=rec.pk).exists()


def test_app_role_cannot_truncate_even_with_the_flush_switch(app_cursor, rec):
    app_cursor.execute("SELECT set_config('audit.allow_truncate', 'on', false)")
    for table in AUDIT_TABLES:
        _denied(app_cursor, f"TRUNCATE {table}")
    assert AuditRecord.objects.filter(pk=rec.pk).exists()


def test_app_role_cannot_disable_the_audit_triggers(app_cursor, rec):
    for table in AUDIT_TABLES:
        _denied(app_cursor, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        _denied(app_cursor, f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        _denied(app_cursor, f"DROP TRIGGER {table}_append_only ON {table}")
    _denied(app_cursor, "SET session_replication_role = replica")


def test_app_role_cannot_replace_the_trigger_functions(app_cursor):
    _denied(
        app_cursor,
        "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
    )


def test_roles_are_created_idempotently_and_never_as_superuser(roles):
    owner, app = roles
    with psycopg.connect(**_conninfo(), autocommit=True) as admin, admin.cursor() as cursor:
        db_roles.create_roles(cursor, connection.settings_dict["NAME"], owner, app)
        db_roles.grant_app(cursor, owner, app)
        cursor.execute(
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = ANY(%s) ORDER BY rolname",
            [[owner.name, app.name]],
        )
        rows = cursor.fetchall()
    assert [r[0] for r in rows] == sorted([owner.name, app.name])
    assert all(r[1:] == (False, False, False) for r in rows)


def test_role_names_and_passwords_come_from_the_urls():
    role = db_roles.role_from_url("postgres://toegang_app:p%40ss@db:5432/toegang")
    assert role == db_roles.Role("toegang_app", "p@ss")
    assert db_roles.database_from_url("postgres://x:y@db:5432/toegang") == "toegang"
    with pytest.raises(ValueError):
        db_roles.role_from_url("sqlite:///var/db.sqlite3")
