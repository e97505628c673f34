"""Crypto-shred one huishouden from the command line (end of the retention period)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casussen.models import Huishouden
from casussen.services.huishouden import huishouden_shred


class Command(BaseCommand):
    help = "Vernietig de gegevenssleutel van een huishouden: alle persoonsgegevens onleesbaar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("huishouden_id", type=uuid.UUID)
        parser.add_argument("--reden", required=True, help="bijv. 'bewaartermijn verstreken'")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            huishouden = Huishouden.objects.get(pk=options["huishouden_id"])
        except Huishouden.DoesNotExist:
            raise CommandError("Huishouden niet gevonden.") from None
        huishouden_shred(huishouden=huishouden, by=None, reden=options["reden"])
        self.stdout.write(self.style.SUCCESS(f"Huishouden {huishouden.pk} vernietigd."))
