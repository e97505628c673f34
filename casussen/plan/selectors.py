"""Reads of the plan. Every function takes a casus the caller already fetched with
``casussen.selectors.casus_get_for_user``: plan items are reachable only through it,
and an id of another huishouden's item raises ``Http404``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from casussen.models import Gezinslid
from casussen.plan import afdruk as b1
from casussen.plan.charts import TrendPunt
from casussen.plan.constants import DIMENSIES, PlanStatus, Trede
from casussen.plan.models import Actie, Doel, Meting, Plan, PlanVersie


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def plan_for_casus(*, casus: Any) -> Plan | None:
    """The one plan of the casus's huishouden, or None before it was started."""
    return Plan.objects.filter(huishouden_id=casus.huishouden_id).first()


def plan_with_content(*, casus: Any) -> Plan | None:
    """The plan with its doelen, their gezinsleden and acties (with owners) prefetched."""
    acties = Actie.objects.select_related("eigenaar", "doel__plan__huishouden__data_key")
    doelen = Doel.objects.prefetch_related(
        Prefetch("acties", queryset=acties),
        Prefetch("gezinsleden", queryset=Gezinslid.objects.all()),
    )
    return (
        Plan.objects.filter(huishouden_id=casus.huishouden_id)
        .select_related("huishouden__data_key")
        .prefetch_related(Prefetch("doelen", queryset=doelen))
        .first()
    )


def doel_get(*, casus: Any, doel_id: Any) -> Doel:
    doel = Doel.objects.filter(pk=_uuid(doel_id), plan__huishouden_id=casus.huishouden_id).first()
    if doel is None:
        raise Http404
    return doel


def actie_get(*, casus: Any, actie_id: Any) -> Actie:
    actie = (
        Actie.objects.filter(pk=_uuid(actie_id), doel__plan__huishouden_id=casus.huishouden_id)
        .select_related("doel__plan", "eigenaar")
        .first()
    )
    if actie is None:
        raise Http404
    return actie


def metingen_for_casus(*, casus: Any) -> QuerySet[Meting]:
    """All metingen of the casus's huishouden, oldest first (scores only are read unsealed)."""
    return Meting.objects.filter(huishouden_id=casus.huishouden_id).select_related(
        "gezinslid__huishouden__data_key"
    )


def meting_get(*, casus: Any, meting_id: Any) -> Meting:
    meting = (
        Meting.objects.filter(pk=_uuid(meting_id), huishouden_id=casus.huishouden_id)
        .select_related("gezinslid", "afgenomen_door")
        .prefetch_related("notities")
        .first()
    )
    if meting is None:
        raise Http404
    return meting


def versies_for_plan(*, plan: Plan) -> QuerySet[PlanVersie]:
    return PlanVersie.objects.filter(plan=plan).select_related("vastgesteld_door")


def versie_get(*, plan: Plan, nummer: int) -> PlanVersie:
    versie = versies_for_plan(plan=plan).filter(nummer=nummer).first()
    if versie is None:
        raise Http404
    return versie


# -- derived views ------------------------------------------------------------------------


@dataclass(frozen=True)
class TredeAantal:
    trede: int
    label: str
    aantal: int
    procent: int


def trede_mix(plan: Plan) -> list[TredeAantal]:
    """How many running (not stopped) actions sit on each trede; uses prefetched acties."""
    counts: Counter[int] = Counter(
        actie.trede
        for doel in plan.doelen.all()
        for actie in doel.acties.all()
        if actie.status != "gestopt"
    )
    total = sum(counts.values()) or 1
    return [
        TredeAantal(trede, str(label), counts[trede], round(100 * counts[trede] / total))
        for trede, label in Trede.choices
    ]


@dataclass(frozen=True)
class Reeksgroep:
    """The metingen of one person (or of the huishouden as a whole) for the trend."""

    sleutel: str
    naam: str
    metingen: list[Meting]

    @property
    def punten(self) -> list[TrendPunt]:
        return [TrendPunt(m.datum, m.scores()) for m in self.metingen]


def metingen_per_persoon(metingen: list[Meting]) -> list[Reeksgroep]:
    """Group metingen by gezinslid (None: the huishouden), each group oldest first."""
    groups: dict[str, Reeksgroep] = {}
    for meting in sorted(metingen, key=lambda m: (m.datum, m.created_at)):
        key = str(meting.gezinslid_id or "huishouden")
        if key not in groups:
            groups[key] = Reeksgroep(key, gezinslid_naam(meting.gezinslid), [])
        groups[key].metingen.append(meting)
    return list(groups.values())


def gezinslid_naam(gezinslid: Gezinslid | None) -> str:
    """Display name of a gezinslid (decrypts voornaam and achternaam)."""
    if gezinslid is None:
        return "Huishouden"
    parts = [str(gezinslid.voornaam or ""), str(gezinslid.achternaam or "")]
    return " ".join(p for p in parts if p).strip() or "Gezinslid"


# -- the resident's printout ---------------------------------------------------------------


def _afdruk_scores(
    metingen: list[Meting],
) -> tuple[tuple[b1.AfdrukScore, ...], date | None, date | None]:
    groups = metingen_per_persoon(metingen)
    if not groups:
        return (), None, None
    group = max(groups, key=lambda g: len(g.metingen))
    first, last = group.metingen[0], group.metingen[-1]
    scores = tuple(
        b1.AfdrukScore(
            str(b1.DIMENSIE_B1[code]),
            getattr(first, code),
            getattr(last, code) if last is not first else None,
        )
        for code in DIMENSIES
    )
    return scores, first.datum, last.datum


def afdruk_for_plan(*, casus: Any, organisatie: str) -> b1.Afdruk:
    """What the resident gets on paper: goals, actions, who and when, their own scores."""
    plan = plan_with_content(casus=casus)
    if plan is None:
        raise Http404
    laatste = versies_for_plan(plan=plan).order_by("-nummer").first()
    doelen = tuple(
        b1.AfdrukDoel(
            tekst=str(doel.tekst),
            voor_wie=tuple(gezinslid_naam(g) for g in doel.gezinsleden.all()),
            uitkomst=str(b1.UITKOMST_B1.get(doel.uitkomst, "")) if doel.uitkomst else "",
            acties=tuple(
                b1.AfdrukActie(
                    wat=str(actie.omschrijving),
                    wie=b1.wie_text(
                        actie.eigenaar_soort,
                        actie.eigenaar_omschrijving,
                        actie.eigenaar.get_full_name() if actie.eigenaar else None,
                    ),
                    wanneer=actie.deadline,
                    stand=str(b1.STATUS_B1.get(actie.status, actie.status)),
                )
                for actie in doel.acties.all()
            ),
        )
        for doel in plan.doelen.all()
    )
    scores, eerste, laatste_meting = _afdruk_scores(list(metingen_for_casus(casus=casus)))
    leden = Gezinslid.objects.filter(huishouden_id=casus.huishouden_id)
    aanspreekpunt = casus.aanspreekpunt
    return b1.Afdruk(
        namen=tuple(gezinslid_naam(g) for g in leden),
        contactpersoon=aanspreekpunt.get_full_name() if aanspreekpunt else "de Brede Toegang",
        organisatie=organisatie,
        afgesproken_op=laatste.vastgesteld_op
        if laatste is not None and plan.status == PlanStatus.VASTGESTELD
        else None,
        startdatum=plan.startdatum,
        afgedrukt_op=timezone.localdate(),
        doelen=doelen,
        scores=scores,
        eerste_meting=eerste,
        laatste_meting=laatste_meting,
        contact_telefoon=aanspreekpunt.telefoon if aanspreekpunt else "",
        contact_email=aanspreekpunt.email if aanspreekpunt else "",
        gemeente=settings.GEMEENTE_NAAM,
        logo=settings.GEMEENTE_LOGO,
    )
