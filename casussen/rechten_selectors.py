"""Reads for the privacy officer's page of residents' requests (AVG art. 16-21)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from casussen.models import Casus, Gezinslid, Rechtenverzoek, Verzoekstap, Verzoekstatus


def verzoeken(*, alle: bool = False) -> QuerySet[Rechtenverzoek]:
    """Open requests first (earliest deadline first), then the decided ones, newest first."""
    queryset = Rechtenverzoek.objects.select_related("besloten_door").annotate(
        afgehandeld=Case(
            When(status=Verzoekstatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    if not alle:
        queryset = queryset.filter(status__in=[Verzoekstatus.OPEN, Verzoekstatus.TOEGEWEZEN])
    return queryset.order_by("afgehandeld", "termijn", "-created_at")


@dataclass(frozen=True)
class Dossier:
    """One request with what the privacy officer needs to decide on it."""

    verzoek: Rechtenverzoek
    stappen: list[Verzoekstap]
    leden: list[Gezinslid]
    casussen: list[Casus]
    gezinslid: Gezinslid | None


def verzoek_dossier(verzoek_id: Any) -> Dossier | None:
    verzoek = (
        Rechtenverzoek.objects.select_related("huishouden", "besloten_door", "ingediend_door")
        .filter(pk=verzoek_id)
        .first()
    )
    if verzoek is None:
        return None
    leden = list(Gezinslid.objects.filter(huishouden_id=verzoek.huishouden_id))
    return Dossier(
        verzoek=verzoek,
        stappen=list(Verzoekstap.objects.filter(verzoek=verzoek).select_related("door")),
        leden=leden,
        casussen=list(
            Casus.objects.filter(huishouden_id=verzoek.huishouden_id).order_by("-opened_at")
        ),
        gezinslid=next((lid for lid in leden if lid.pk == verzoek.gezinslid_id), None),
    )
