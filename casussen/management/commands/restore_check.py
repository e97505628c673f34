"""After every database restore: re-apply the shred ledger, so shredded households stay gone."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import shred_ledger
from casussen.services.retention import reapply_ledger


class Command(BaseCommand):
    help = (
        "Na het terugzetten van een back-up: vernietig opnieuw wat het vernietigingsgrootboek "
        "(buiten de database) als vernietigd kent, en vul het grootboek aan. --check: alleen "
        "controleren (exitcode 1 als de database achterloopt)."
    )
    # It must run exactly when the database is behind: no check may stop it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="alleen controleren")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                problem = shred_ledger.startup_problem()
                if problem:
                    raise CommandError(problem)
                self.stdout.write("Vernietigingsgrootboek: de database loopt niet achter.")
                return
            started = time.monotonic()
            redone = reapply_ledger()
            mirrored = shred_ledger.mirror()
        except shred_ledger.LedgerError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{redone} huishoudens opnieuw vernietigd, {mirrored} grootboekregels "
                f"aangevuld ({time.monotonic() - started:.1f} s)."
            )
        )
