from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from monitor import projection


class Command(BaseCommand):
    help = "Bouw de cijfers van de beleidsmonitor opnieuw op uit de gebeurtenissen."

    def handle(self, *args: Any, **options: Any) -> None:
        nieuw = projection.drain()
        count = projection.rebuild()
        self.stdout.write(f"Monitor opnieuw opgebouwd uit {count} gebeurtenissen ({nieuw} nieuw).")
