from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitor.buurten import KOLOMMEN, buurten_laden_uit_bestand


class Command(BaseCommand):
    help = "Laad wijken, buurten en postcodegebieden uit een CSV-bestand (kolommen: {}).".format(
        ", ".join(KOLOMMEN)
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bestand")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            geladen = buurten_laden_uit_bestand(options["bestand"])
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Bestand niet te lezen: {type(exc).__name__}") from None
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        self.stdout.write(
            f"Geladen: {geladen.wijken} wijken, {geladen.buurten} buurten, "
            f"{geladen.postcodes} postcodegebieden."
        )
