"""``audit_export_seals``: the seal hashes as JSON lines, for anchoring elsewhere."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import anchors
from audit.management.commands.audit_verify import parse_since
from audit.models import AuditSeal


class Command(BaseCommand):
    help = (
        "Schrijf de zegelhashes als JSON-regels (een per zegel), om buiten de database "
        "vast te leggen. Met --latest alleen de laatste zegel (die de hele keten dekt); "
        "met --publish wordt de laatste zegel nu in de ankeropslag (AUDIT_ANCHOR_STORE) gezet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="Vanaf dit zegelnummer of deze datum")
        parser.add_argument("--latest", action="store_true", help="Alleen de laatste zegel")
        parser.add_argument(
            "--publish", action="store_true", help="Laatste zegel nu verankeren (geen uitvoer)"
        )
        parser.add_argument(
            "--start",
            action="store_true",
            help="Met --publish: ook een lege ankeropslag beginnen terwijl er al oudere zegels "
            "zijn (eerst uitzoeken waarom hij leeg is)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["publish"]:
            if not anchors.configured():
                raise CommandError("AUDIT_ANCHOR_STORE is leeg: geen ankeropslag ingesteld.")
            try:
                written = anchors.publish(start=options["start"])
            except anchors.AnchorError as exc:
                raise CommandError(f"Verankeren mislukt: {exc}") from None
            self.stderr.write(f"Anker geschreven naar {written} opslag(en).")
            return
        seals = AuditSeal.objects.order_by("last_id")
        since = parse_since(options["since"])
        if isinstance(since, int):
            seals = seals.filter(id__gte=since)
        elif since is not None:
            seals = seals.filter(sealed_at__gte=since)
        if options["latest"]:
            seals = seals.reverse()[:1]
        rows = seals.values_list(
            "id", "first_id", "last_id", "count", "seal_hash", "previous_hash", "sealed_at"
        )
        for seal_id, first_id, last_id, count, seal_hash, previous_hash, sealed_at in rows.iterator(
            chunk_size=2000
        ):
            line = {
                "seal_id": seal_id,
                "first_id": first_id,
                "last_id": last_id,
                "count": count,
                "seal_hash": seal_hash,
                "previous_hash": previous_hash,
                "sealed_at": sealed_at.isoformat(),
            }
            self.stdout.write(json.dumps(line, separators=(",", ":")))
