"""Create the owner and app database roles, and grant the app role its rights.

    DATABASE_ADMIN_URL=postgres://postgres:…@db/toegang manage.py db_roles create
    DATABASE_OWNER_URL=postgres://toegang_owner:…@db/toegang manage.py db_roles grant

Role names and passwords come from ``DATABASE_OWNER_URL`` (the owner, for
migrations) and ``DATABASE_URL`` (the app, for web and worker). See
``toegang.db_roles`` and docs/deploy.md.
"""

from __future__ import annotations

import os
from typing import Any

import psycopg

from django.core.management.base import BaseCommand, CommandError, CommandParser

from toegang import db_roles


def _url(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise CommandError(f"{name} ontbreekt in de omgeving.")
    return value


class Command(BaseCommand):
    help = (
        "Databaserollen: 'create' maakt de eigenaar- en app-rol (als beheerder, "
        "DATABASE_ADMIN_URL); 'grant' geeft de app-rol haar rechten na de migraties "
        "(als eigenaar, DATABASE_OWNER_URL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "grant"])

    def handle(self, *args: Any, **options: Any) -> None:
        owner_url, app_url = _url("DATABASE_OWNER_URL"), _url("DATABASE_URL")
        try:
            owner, app = db_roles.role_from_url(owner_url), db_roles.role_from_url(app_url)
        except ValueError:
            raise CommandError(
                "DATABASE_URL en DATABASE_OWNER_URL moeten postgres://-adressen met een "
                "gebruikersnaam zijn."
            ) from None
        database = db_roles.database_from_url(owner_url)
        if database != db_roles.database_from_url(app_url):
            raise CommandError("DATABASE_URL en DATABASE_OWNER_URL wijzen naar andere databases.")
        connect_url = _url("DATABASE_ADMIN_URL") if options["action"] == "create" else owner_url
        try:
            with psycopg.connect(connect_url) as connection, connection.cursor() as cursor:
                if options["action"] == "create":
                    db_roles.create_roles(cursor, database, owner, app)
                else:
                    db_roles.grant_app(cursor, owner, app)
        except (psycopg.Error, ValueError) as exc:
            # The server's message names roles and tables, never a password.
            raise CommandError(f"Databaserollen: {exc.__class__.__name__}: {exc}") from None
        done = "aangemaakt" if options["action"] == "create" else "rechten gegeven"
        self.stdout.write(
            self.style.SUCCESS(f"Rollen {owner.name} (eigenaar) en {app.name} (app): {done}.")
        )
