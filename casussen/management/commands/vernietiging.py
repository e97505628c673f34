"""Destruction lists on the command line: what would go, draw up a list, destroy approved."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casussen.models import Besluit, Vernietigingsitem
from casussen.services.retention import vernietiging_uitvoeren, vernietigingslijst_opstellen
from casussen.vernietiging_selectors import te_vernietigen


class Command(BaseCommand):
    help = (
        "Vernietigingslijst: --dry-run toont wat de bewaartermijn heeft bereikt en wat is "
        "goedgekeurd (er verandert niets); --opstellen zet het op een nieuwe lijst; "
        "--uitvoeren vernietigt de goedgekeurde items."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--dry-run", action="store_true", help="toon alleen (standaard)")
        group.add_argument("--opstellen", action="store_true")
        group.add_argument("--uitvoeren", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["opstellen"]:
            lijst = vernietigingslijst_opstellen(by=None)
            if lijst is None:
                self.stdout.write("Niets heeft de bewaartermijn bereikt.")
            else:
                self.stdout.write(f"Vernietigingslijst {lijst.pk}: {lijst.items.count()} items.")
            return
        if options["uitvoeren"]:
            done = vernietiging_uitvoeren()
            self.stdout.write(self.style.SUCCESS(f"{done} huishoudens vernietigd."))
            return
        self.stdout.write("Proefdraai: er wordt niets opgesteld of vernietigd.")
        self.stdout.write("Bewaartermijn bereikt, nog op geen lijst:")
        for k in te_vernietigen():
            self.stdout.write(
                f"  huishouden {k.huishouden_id}  verlopen {k.verlopen_op:%d-%m-%Y}  "
                f"{k.termijn}  casussen {len(k.casus_ids)}  signalen {len(k.signaal_ids)}"
            )
        self.stdout.write("Goedgekeurd, wacht op vernietiging:")
        for item in Vernietigingsitem.objects.filter(besluit=Besluit.GOEDGEKEURD).order_by("id"):
            self.stdout.write(f"  item {item.pk}  huishouden {item.huishouden_id}  {item.termijn}")
