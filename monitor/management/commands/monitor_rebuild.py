from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from monitor import projection
from monitor.models import Gebeurtenis, Teller


class Command(BaseCommand):
    help = "Bouw de cijfers van de beleidsmonitor opnieuw op uit de gebeurtenissen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--als-nodig",
            action="store_true",
            help=(
                "Alleen als er gebeurtenissen zijn maar nog geen tellers (de eerste start "
                "na de migratie monitor.0003_tellers); anders niets. deploy/start.sh "
                "migrate roept het zo aan."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["als_nodig"] and (Teller.objects.exists() or not Gebeurtenis.objects.exists()):
            self.stdout.write("Monitor: tellers zijn er al (of er is nog niets); niets gedaan.")
            return
        nieuw = projection.drain()
        count = projection.rebuild()
        self.stdout.write(f"Monitor opnieuw opgebouwd uit {count} gebeurtenissen ({nieuw} nieuw).")
