"""The two PostgreSQL roles of a deployment: the owner and the app.

* The **owner** role runs the migrations, so it owns every table, function and
  trigger. Only migrations connect with it (``DATABASE_OWNER_URL``).
* The **app** role is what web and worker connect with (``DATABASE_URL``): it
  may read and write rows, but owns nothing, so it cannot ``ALTER`` a table nor
  disable a trigger. On the audit tables it may only ``INSERT`` and ``SELECT``:
  no ``UPDATE``, ``DELETE`` or ``TRUNCATE`` privilege, which also makes the
  ``audit.allow_truncate`` session switch of ``audit.db`` useless to it (the
  privilege check comes before any trigger).

``create_roles`` runs once with an administrator connection (the superuser the
database server was set up with); ``grant_app`` runs after every migration, as
the owner, because new tables need their grants (default privileges cover
tables the owner creates later, the explicit grant covers what exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from psycopg import sql

from audit.db import TABLES as AUDIT_TABLES

DML = ("SELECT", "INSERT", "UPDATE", "DELETE")
AUDIT_ALLOWED = ("SELECT", "INSERT")
AUDIT_REFUSED = ("UPDATE", "DELETE", "TRUNCATE")


@dataclass(frozen=True)
class Role:
    name: str
    password: str


def role_from_url(url: str) -> Role:
    """The login role and password a ``postgres://user:password@host/db`` URL names."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"} or not parts.username:
        raise ValueError("expected a postgres:// URL with a user name")
    return Role(unquote(parts.username), unquote(parts.password or ""))


def database_from_url(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def _ensure_login_role(cursor: Any, role: Role) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role.name])
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    # Never a superuser, never able to create roles or databases, no inherited rights.
    statement = sql.SQL(
        "{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
    ).format(sql.SQL(verb), sql.Identifier(role.name))
    if role.password:
        statement = statement + sql.SQL(" PASSWORD {}").format(sql.Literal(role.password))
    cursor.execute(statement)


def create_roles(cursor: Any, database: str, owner: Role, app: Role) -> None:
    """Create (or bring back in line) both roles and their rights on ``database``.

    Runs as an administrator (a superuser, or a role with CREATEROLE that owns
    the database). Idempotent.
    """
    if owner.name == app.name:
        raise ValueError("the owner and the app must be different roles")
    for role in (owner, app):
        _ensure_login_role(cursor, role)
    db, schema = sql.Identifier(database), sql.Identifier("public")
    owner_id, app_id = sql.Identifier(owner.name), sql.Identifier(app.name)
    cursor.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db))
    cursor.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db, owner_id))
    cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, app_id))
    # Only the owner creates objects (PostgreSQL < 15 still lets PUBLIC create in public).
    cursor.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(schema))
    cursor.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(schema, owner_id))
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, app_id))


def grant_app(cursor: Any, owner: Role, app: Role) -> None:
    """Give the app role row access to the owner's tables; audit tables append-only.

    Runs as the owner (or an administrator) after the migrations. Idempotent.
    """
    schema = sql.Identifier("public")
    owner_id, app_id = sql.Identifier(owner.name), sql.Identifier(app.name)
    dml = sql.SQL(", ").join(sql.SQL(p) for p in DML)
    cursor.execute(sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(dml, schema, app_id))
    cursor.execute(
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, app_id)
    )
    defaults = sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT ").format(
        owner_id, schema
    )
    cursor.execute(defaults + sql.SQL("{} ON TABLES TO {}").format(dml, app_id))
    cursor.execute(defaults + sql.SQL("USAGE, SELECT ON SEQUENCES TO {}").format(app_id))
    refused = sql.SQL(", ").join(sql.SQL(p) for p in AUDIT_REFUSED)
    for table in AUDIT_TABLES:
        cursor.execute(
            sql.SQL("REVOKE {} ON TABLE {} FROM {}").format(refused, sql.Identifier(table), app_id)
        )


def app_privileges(cursor: Any, app: Role) -> dict[str, set[str]]:
    """Per table in ``public``: the privileges the app role has (for checks and tests)."""
    cursor.execute(
        """
        SELECT c.relname, p.privilege
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        CROSS JOIN unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) AS p(privilege)
        WHERE c.relkind IN ('r', 'p') AND has_table_privilege(%s, c.oid, p.privilege)
        """,
        [app.name],
    )
    result: dict[str, set[str]] = {}
    for table, privilege in cursor.fetchall():
        result.setdefault(table, set()).add(privilege)
    return result
