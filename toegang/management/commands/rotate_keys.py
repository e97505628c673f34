"""Rotate the key ring: a new KEK version and re-wrapped data keys, or a new blind-index key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.keys import provider as audit_key_provider
from toegang.crypto.errors import KeyRingError
from toegang.crypto.rotation import audit_key_rotate, blind_index_rotate, kek_retire, kek_rotate


class Command(BaseCommand):
    help = (
        "Voeg een nieuwe sleutelversie (KEK) toe en verpak alle gegevenssleutels opnieuw, "
        "in batches en hervatbaar. --retire VERSIE verwijdert een oude versie die niet meer "
        "gebruikt wordt; --blind-index vervangt de sleutel van de blinde indexen (zwaar); "
        "--audit voegt een nieuwe auditsleutel toe (oude blijven voor de controle)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--retire", type=int, metavar="VERSIE", help="oude KEK-versie verwijderen"
        )
        group.add_argument(
            "--blind-index",
            action="store_true",
            help="blinde-indexsleutel vervangen en alle indexen herberekenen",
        )
        group.add_argument(
            "--audit",
            action="store_true",
            help="nieuwe auditsleutel voor de zegels van het audittrail",
        )
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--max-batches",
            type=int,
            default=None,
            help="stop na zoveel batches (een volgende run gaat verder)",
        )

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"  {done}/{total}")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["retire"] is not None:
                kek_retire(version=options["retire"])
                self.stdout.write(self.style.SUCCESS(f"KEK-versie {options['retire']} verwijderd."))
            elif options["audit"]:
                if audit_key_provider() == "env":
                    raise CommandError(
                        "De auditsleutels komen uit AUDIT_KEYS (AUDIT_KEY_PROVIDER=env): "
                        "voeg daar een nieuwe versie toe; oude versies blijven staan."
                    )
                version = audit_key_rotate()
                self.stdout.write(
                    self.style.SUCCESS(f"Auditsleutel versie {version} toegevoegd en in gebruik.")
                )
            elif options["blind_index"]:
                rows = blind_index_rotate(batch_size=options["batch_size"], progress=self._progress)
                self.stdout.write(self.style.SUCCESS(f"Blinde indexen herberekend: {rows} rijen."))
            else:
                self._rotate(options)
        except KeyRingError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("Maak een back-up van het nieuwe sleutelbosbestand.")

    def _rotate(self, options: dict[str, Any]) -> None:
        result = kek_rotate(
            batch_size=options["batch_size"],
            max_batches=options["max_batches"],
            progress=self._progress,
        )
        if result.added_version is not None:
            self.stdout.write(f"Nieuwe KEK-versie {result.added_version} toegevoegd.")
        else:
            self.stdout.write(f"Vorige rotatie naar versie {result.current_version} hervat.")
        self.stdout.write(f"Opnieuw verpakt: {result.rewrapped}; nog te gaan: {result.remaining}.")
        if result.remaining:
            self.stdout.write(self.style.WARNING("Nog niet klaar: voer rotate_keys opnieuw uit."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Alle gegevenssleutels op versie {result.current_version}; oude versies "
                    "kunnen met --retire weg zodra geen proces ze nog nodig heeft."
                )
            )
