"""Reads of the destruction lists: which households reached their bewaartermijn, the open items.

A household is the unit of destruction (one data key): it is due when it has no
open casus, no signal still waiting, and every casus and signal of it has passed
the term of its class (``casussen.bewaartermijnen``). Signals that joined a casus
follow that casus; a household with nothing at all follows the signal term.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from casussen import bewaartermijnen as bt
from casussen.models import Besluit, Casus, Huishouden, Vernietigingsitem

#: A withholding by a person keeps the household off new lists this long.
AANGEHOUDEN_DAGEN = 365


@dataclass
class Kandidaat:
    huishouden_id: uuid.UUID
    verlopen_op: date
    termijn: str
    grondslag: str = ""
    afgesloten_op: dt | None = None
    casus_ids: list[str] = field(default_factory=list)
    signaal_ids: list[str] = field(default_factory=list)
    afsluiter_ids: list[int] = field(default_factory=list)


def _candidates_queryset(today: date) -> QuerySet[Huishouden]:
    from signalen.models import Signaal

    running = Vernietigingsitem.objects.filter(
        besluit__in=[Besluit.VOORGESTELD, Besluit.GOEDGEKEURD]
    ).values("huishouden_id")
    withheld = Vernietigingsitem.objects.filter(
        besluit=Besluit.AANGEHOUDEN,
        besluit_door__isnull=False,
        besluit_op__date__gt=today - timedelta(days=AANGEHOUDEN_DAGEN),
    ).values("huishouden_id")
    return (
        Huishouden.objects.filter(shredded_at__isnull=True)
        .exclude(casussen__in=Casus.objects.exclude(status=Casus.Status.AFGESLOTEN))
        .exclude(pk__in=running)
        .exclude(pk__in=withheld)
        .select_related(None)
        .only("id", "created_at")
        .prefetch_related(
            Prefetch(
                "casussen",
                queryset=Casus.objects.only(
                    "id",
                    "huishouden_id",
                    "grondslag",
                    "closed_at",
                    "closed_by_id",
                    "last_activity_at",
                ),
            ),
            Prefetch(
                "signalen",
                queryset=Signaal.objects.select_related(None).only(
                    "id", "huishouden_id", "casus_id", "status", "status_gewijzigd_op"
                ),
            ),
        )
        .order_by("created_at")
    )


def _candidate(huishouden: Huishouden) -> Kandidaat | None:
    from signalen.models import AFGEHANDELD

    parts: list[tuple[date, bt.Bewaarklasse, Casus | None]] = []
    for casus in huishouden.casussen.all():
        klasse = bt.voor_grondslag(casus.grondslag)
        parts.append(
            (
                klasse.verloopt(afgesloten=casus.closed_at, gewijzigd=casus.last_activity_at),
                klasse,
                casus,
            )
        )
    signalen = [s for s in huishouden.signalen.all() if s.casus_id is None]  # type: ignore[attr-defined]
    if any(s.status not in AFGEHANDELD for s in signalen):
        return None
    klasse = bt.SIGNAAL_ZONDER_CASUS
    for signaal in signalen:
        parts.append(
            (klasse.verloopt(afgesloten=None, gewijzigd=signaal.status_gewijzigd_op), klasse, None)
        )
    if not parts:
        parts.append(
            (klasse.verloopt(afgesloten=None, gewijzigd=huishouden.created_at), klasse, None)
        )
    verlopen_op, langste, bepalend = max(parts, key=lambda p: p[0])
    casussen = list(huishouden.casussen.all())
    closed = [c.closed_at for c in casussen if c.closed_at]
    return Kandidaat(
        huishouden_id=huishouden.pk,
        verlopen_op=verlopen_op,
        termijn=f"{langste.naam}: {langste.termijn}",
        grondslag=bepalend.grondslag if bepalend is not None else "",
        afgesloten_op=max(closed) if closed else None,
        casus_ids=[str(c.pk) for c in casussen],
        signaal_ids=[str(s.pk) for s in huishouden.signalen.all()],  # type: ignore[attr-defined]
        afsluiter_ids=sorted({c.closed_by_id for c in casussen if c.closed_by_id}),
    )


def te_vernietigen(today: date | None = None) -> list[Kandidaat]:
    """Households past their term and not yet on a running list (no names: ids and dates)."""
    today = today or timezone.localdate()
    found = []
    for huishouden in _candidates_queryset(today).iterator(chunk_size=500):
        kandidaat = _candidate(huishouden)
        if kandidaat is not None and kandidaat.verlopen_op <= today:
            found.append(kandidaat)
    return found


def open_items() -> QuerySet[Vernietigingsitem]:
    """What waits for a decision or for destruction, oldest term first."""
    return (
        Vernietigingsitem.objects.filter(besluit__in=[Besluit.VOORGESTELD, Besluit.GOEDGEKEURD])
        .select_related("lijst", "besluit_door", "lijst__opgesteld_door")
        .order_by("verlopen_op", "id")
    )


def afgehandelde_items(limit: int = 50) -> QuerySet[Vernietigingsitem]:
    return (
        Vernietigingsitem.objects.filter(besluit__in=[Besluit.VERNIETIGD, Besluit.AANGEHOUDEN])
        .select_related("besluit_door")
        .order_by("-besluit_op", "-id")[:limit]
    )
