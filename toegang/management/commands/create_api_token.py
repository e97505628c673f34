from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from toegang.models import User
from toegang.services import api_token_create


class Command(BaseCommand):
    help = "Maak een nieuw API-token voor een gebruiker en toon het één keer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--naam", default="standaard", help="Naam van het token")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError("Geen actieve gebruiker met deze gebruikersnaam.") from exc
        issued = api_token_create(user=user, naam=options["naam"])
        self.stdout.write(issued.plaintext)
