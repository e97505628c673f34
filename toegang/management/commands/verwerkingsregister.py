"""Print the register of processing (AVG art. 30) as Markdown (default) or CSV."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from toegang import verwerkingsregister


class Command(BaseCommand):
    help = "Toont het register van verwerkingen (AVG art. 30) als Markdown of CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=("markdown", "csv"), default="markdown")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = verwerkingsregister.ontbrekend() + verwerkingsregister.verouderd()
        if missing:
            raise CommandError(
                "Het register is onvolledig; vul toegang/verwerkingsregister.py aan: "
                + ", ".join(missing)
            )
        if options["format"] == "csv":
            self.stdout.write(verwerkingsregister.as_csv(), ending="")
        else:
            self.stdout.write(verwerkingsregister.as_markdown())
