"""``audit_verify``: check the sealed chain; non-zero exit on the first broken position."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from audit.verify import check_anchors, verify_chain


def parse_since(value: str | None) -> int | datetime | None:
    """A seal id (digits) or an ISO date/datetime (local time if naive)."""
    if not value:
        return None
    if value.isdigit():
        return int(value)
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since: geen zegelnummer of datum: {value!r}")
        moment = datetime.combine(day, time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Controleer de hashketen van het audittrail. Stopt met een foutcode bij de eerste "
        "gewijzigde, verwijderde, ingevoegde of verwisselde auditregel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", help="Begin bij dit zegelnummer of deze datum (JJJJ-MM-DD[THH:MM])"
        )
        parser.add_argument(
            "--anchor",
            help="JSON-regels van audit_export_seals: elke verankerde zegel moet nog kloppen",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2 if connection.vendor == "postgresql" else 1,
            help="Parallelle databaseverbindingen (PostgreSQL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = parse_since(options["since"])
        if options["anchor"]:
            with open(options["anchor"], encoding="utf-8") as handle:
                anchors = [json.loads(line) for line in handle if line.strip()]
            problem = check_anchors(anchors)
            if problem:
                raise CommandError(f"AUDITKETEN GEBROKEN: {problem}")
            self.stdout.write(f"Verankering: {len(anchors)} zegel(s) kloppen.")
        result = verify_chain(since=since, workers=max(1, options["workers"]))
        if not result.ok:
            self.stdout.write(
                f"Gecontroleerd tot de fout: {result.records} auditregels in {result.seals} zegels."
            )
            raise CommandError(f"AUDITKETEN GEBROKEN: {result.problem}")
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {result.records} auditregels in {result.seals} zegels gecontroleerd in "
                f"{result.seconds:.2f} s ({result.rate:,.0f} regels/s); "
                f"{result.unsealed} nog niet verzegeld."
            )
        )
