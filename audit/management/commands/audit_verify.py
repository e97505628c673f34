"""``audit_verify``: check the sealed chain; non-zero exit on the first broken position."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from audit import anchors as anchoring
from audit.anchors import AnchorCheck, AnchorError, FileStore
from audit.verify import verify_chain


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
        "Controleer de verzegelde keten van het audittrail en de ankers buiten de database "
        "(AUDIT_ANCHOR_STORE). Stopt met een foutcode bij de eerste gewijzigde, verwijderde, "
        "ingevoegde of verwisselde auditregel, een nagemaakte zegel of een ingekorte keten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", help="Begin bij dit zegelnummer of deze datum (JJJJ-MM-DD[THH:MM])"
        )
        parser.add_argument(
            "--anchor",
            help="Ook dit bestand met JSON-regels van audit_export_seals controleren",
        )
        parser.add_argument(
            "--no-anchors",
            action="store_true",
            help="De ingestelde ankeropslag overslaan (alleen de sleutel bewijst dan de keten)",
        )
        parser.add_argument(
            "--accept-unkeyed",
            action="store_true",
            help="Zegels zonder auditsleutel (versie 1, van voor de sleutel) meetellen, "
            "alleen vóór de eerste zegel met sleutel",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2 if connection.vendor == "postgresql" else 1,
            help="Parallelle databaseverbindingen (PostgreSQL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = parse_since(options["since"])
        result = verify_chain(
            since=since,
            workers=max(1, options["workers"]),
            accept_unkeyed=options["accept_unkeyed"],
        )
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
        if result.unkeyed:
            self.stdout.write(
                self.style.WARNING(
                    f"Let op: {result.unkeyed} zegel(s) zonder auditsleutel meegeteld "
                    "(--accept-unkeyed); die bewijzen alleen iets samen met een anker."
                )
            )
        self._anchors(options)

    def _anchors(self, options: dict[str, Any]) -> None:
        try:
            targets = [] if options["no_anchors"] else anchoring.stores()
            if options["anchor"]:
                targets.append(FileStore(options["anchor"], required=True))
            if not targets:
                self.stdout.write(
                    self.style.WARNING(
                        "Geen ankers gecontroleerd (AUDIT_ANCHOR_STORE leeg of --no-anchors): "
                        "een afgeknipte staart van de keten is zo niet te zien."
                    )
                )
                return
            check = anchoring.check_stores(targets)
        except AnchorError as exc:
            raise CommandError(f"ANKERS NIET TE CONTROLEREN: {exc}") from None
        if not check.ok:
            raise CommandError(f"AUDITKETEN GEBROKEN: {check.problem}")
        self.stdout.write(self._reach(check))

    @staticmethod
    def _reach(check: AnchorCheck) -> str:
        if check.latest is None:
            return (
                f"Verankering: {check.stores} opslag(en), nog geen ankers; "
                "de keten bewijst zich alleen met de auditsleutel."
            )
        when = anchoring.anchored_at(check.latest)
        moment = f" (verankerd {timezone.localtime(when):%Y-%m-%d %H:%M})" if when else ""
        return (
            f"Verankering: {check.anchors} anker(s) in {check.stores} opslag(en) kloppen. "
            f"Het bewijs buiten de database reikt tot en met auditregel "
            f"{check.latest.last_id} (zegel {check.latest.seal_id}){moment}; "
            "latere regels bewijst alleen de auditsleutel."
        )
