"""Generate a new production key ring (KEKs and blind-index key)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from toegang.crypto.keyring import KeyRing, write_keyring_file


class Command(BaseCommand):
    help = (
        "Maak een nieuwe sleutelbos voor productie. Zonder --output gaat de JSON naar stdout "
        "(voor een secret store); met --output naar een bestand met rechten 0600."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="pad van het nieuwe sleutelbosbestand")
        parser.add_argument("--force", action="store_true", help="bestaand bestand overschrijven")

    def handle(self, *args: Any, **options: Any) -> None:
        ring = KeyRing.generate(development=False)
        if not options["output"]:
            self.stdout.write(ring.to_json(), ending="")
            return
        try:
            write_keyring_file(ring, options["output"], overwrite=options["force"])
        except FileExistsError:
            raise CommandError(
                "Het bestand bestaat al; gebruik --force om te overschrijven."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Sleutelbos geschreven naar {options['output']}."))
        self.stdout.write("Maak er direct een back-up van, gescheiden van de databaseback-ups.")
