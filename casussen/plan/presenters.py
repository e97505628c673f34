"""Turn plan rows into what the pages show: names, labels, charts, tables, the diff."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString

from casussen import leefgebieden
from casussen.models import Gezinslid
from casussen.plan import charts, diff
from casussen.plan.constants import (
    DIMENSIES,
    ActieStatus,
    Dimensie,
    DoelUitkomst,
    EigenaarSoort,
    PlanStatus,
    Trede,
)
from casussen.plan.models import Actie, Doel, Meting, Plan, PlanVersie
from casussen.plan.selectors import (
    Reeksgroep,
    gezinslid_naam,
    metingen_for_casus,
    metingen_per_persoon,
    trede_mix,
    versies_for_plan,
)
from casussen.plan.services.acties import may_set_status
from casussen.plan.services.versies import plan_snapshot


@dataclass
class ScoreRij:
    label: str
    waarden: list[int | None]

    @property
    def eerste(self) -> int | None:
        return self.waarden[0]

    @property
    def laatste(self) -> int | None:
        return self.waarden[-1]

    @property
    def verschil(self) -> str:
        """'+2', '-1' or '0' between the first and the last meting."""
        if self.eerste is None or self.laatste is None:
            return ""
        delta = self.laatste - self.eerste
        return f"+{delta}" if delta > 0 else str(delta)


@dataclass
class Grafieken:
    """Spinnenweb and trend of one person, with their data tables."""

    groep: Reeksgroep
    spinnenweb: SafeString
    trend: SafeString | None
    kolommen: list[Meting]
    rijen: list[ScoreRij]


def grafieken_voor(groep: Reeksgroep, *, prefix: str) -> Grafieken:
    metingen = groep.metingen
    first, last = metingen[0], metingen[-1]
    reeksen = [charts.Reeks(_meting_label(first), first.scores())]
    if last is not first:
        reeksen.append(charts.Reeks(_meting_label(last), last.scores()))
    web = charts.spinnenweb_svg(
        reeksen=reeksen,
        id_prefix=f"{prefix}-web",
        titel=f"Positieve Gezondheid: spinnenweb van {groep.naam}",
    )
    trend = None
    if len(metingen) > 1:
        trend = charts.trend_svg(
            punten=groep.punten,
            id_prefix=f"{prefix}-trend",
            titel=f"Positieve Gezondheid: verloop per dimensie van {groep.naam}",
        )
    rijen = [
        ScoreRij(str(Dimensie(code).label), [getattr(m, code) for m in metingen])
        for code in DIMENSIES
    ]
    return Grafieken(groep, web, trend, metingen, rijen)


def _meting_label(meting: Meting) -> str:
    return f"{meting.get_soort_display()} {meting.datum:%d-%m-%Y}"


def grafieken_for_casus(casus: Any) -> list[Grafieken]:
    groepen = metingen_per_persoon(list(metingen_for_casus(casus=casus)))
    return [grafieken_voor(g, prefix=f"pg{index}") for index, g in enumerate(groepen)]


@dataclass
class ActieRegel:
    actie: Actie
    eigenaar: str
    mag_status: bool


@dataclass
class DoelBlok:
    doel: Doel
    voor_wie: list[str]
    dimensies: list[str]
    leefgebieden: list[str]
    acties: list[ActieRegel] = field(default_factory=list)
    alleen_zwaar: bool = False


def eigenaar_text(actie: Actie) -> str:
    parts = [str(EigenaarSoort(actie.eigenaar_soort).label)]
    if actie.eigenaar_omschrijving:
        parts.append(str(actie.eigenaar_omschrijving))
    if actie.eigenaar is not None:
        parts.append(actie.eigenaar.get_full_name() or actie.eigenaar.get_username())
    return " · ".join(parts)


def doel_blokken(plan: Plan, *, casus: Any, user: Any, can_change: bool) -> list[DoelBlok]:
    blokken = []
    for doel in plan.doelen.all():
        acties = list(doel.acties.all())
        running = [a for a in acties if a.status != ActieStatus.GESTOPT]
        blokken.append(
            DoelBlok(
                doel=doel,
                voor_wie=[gezinslid_naam(g) for g in doel.gezinsleden.all()],
                dimensies=[str(Dimensie(c).label) for c in doel.dimensies if c in Dimensie.values],
                leefgebieden=[leefgebieden.label(c) for c in doel.leefgebieden],
                acties=[
                    ActieRegel(
                        a,
                        eigenaar_text(a),
                        can_change and may_set_status(actie=a, casus=casus, user=user),
                    )
                    for a in acties
                ],
                alleen_zwaar=bool(running) and all(a.trede >= Trede.MAATWERK for a in running),
            )
        )
    return blokken


# -- versions and the diff --------------------------------------------------------------------


def weergave_for(casus: Any) -> diff.Weergave:
    """Labels and names for diff values: gezinsleden and users looked up once."""
    leden = {
        str(g.pk): gezinslid_naam(g)
        for g in Gezinslid.objects.filter(huishouden_id=casus.huishouden_id)
    }
    user_model = get_user_model()
    users: dict[str, str] = {}

    def user_name(user_id: str) -> str:
        if user_id not in users:
            user = user_model.objects.filter(pk=user_id).first()
            users[user_id] = user.get_full_name() if user else "?"
        return users[user_id]

    return diff.Weergave(
        labels={
            "dimensies": dict(Dimensie.choices),
            "leefgebieden": {code: leefgebieden.label(code) for code in leefgebieden.LEEFGEBIEDEN},
            "uitkomst": dict(DoelUitkomst.choices),
            "eigenaar_soort": dict(EigenaarSoort.choices),
            "trede": dict(Trede.choices),
            "status": dict(ActieStatus.choices),
        },
        namen={"gezinsleden": lambda i: leden.get(i, "?"), "eigenaar_id": user_name},
    )


@dataclass
class Regel:
    veld: str
    oud: str
    nieuw: str


@dataclass
class WijzigingRegel:
    wijziging: diff.Wijziging
    regels: list[Regel]


def diff_regels(
    oud: dict[str, Any] | None, nieuw: dict[str, Any], weergave: diff.Weergave
) -> list[WijzigingRegel]:
    return [
        WijzigingRegel(
            w,
            [
                Regel(
                    weergave.veld(v.veld),
                    weergave.waarde(v.veld, v.oud),
                    weergave.waarde(v.veld, v.nieuw),
                )
                for v in w.velden
            ],
        )
        for w in diff.snapshot_diff(oud, nieuw)
    ]


def wijzigingen_sinds_vaststellen(
    plan: Plan, casus: Any
) -> tuple[PlanVersie | None, list[WijzigingRegel]]:
    """The draft's changes against the last vastgestelde version (empty when not a draft)."""
    if plan.status != PlanStatus.CONCEPT:
        return None, []
    laatste = versies_for_plan(plan=plan).order_by("-nummer").first()
    if laatste is None:
        return None, []
    return laatste, diff_regels(
        json.loads(laatste.inhoud), plan_snapshot(plan), weergave_for(casus)
    )


def plan_page_context(
    plan: Plan | None, *, casus: Any, user: Any, can_change: bool
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "casus": casus,
        "plan": plan,
        "can_change": can_change,
        "grafieken": grafieken_for_casus(casus),
        "casus_url": casus_url(casus),
        "evaluatie_mogelijk": evaluatie_mogelijk(plan),
    }
    if plan is None:
        return context
    laatste, wijzigingen = wijzigingen_sinds_vaststellen(plan, casus)
    versies = list(versies_for_plan(plan=plan))
    context.update(
        blokken=doel_blokken(plan, casus=casus, user=user, can_change=can_change),
        mix=trede_mix(plan),
        laatste_versie=laatste,
        huidige_versie=versies[-1] if plan.is_vastgesteld and versies else None,
        wijzigingen=wijzigingen,
        versies=versies,
        statussen=ActieStatus.choices,
    )
    return context


@dataclass(frozen=True)
class Stap:
    """The next step of the plan flow, offered on the case page."""

    label: str
    url: str
    uitleg: str


def volgende_stap(plan: Plan | None, casus: Any) -> Stap:
    """Brede uitvraag → plan → vaststellen → evaluatie, in that order."""
    from django.utils.translation import gettext as _

    plan_url = reverse("casussen:plan:plan", args=[casus.pk])
    if not Meting.objects.filter(huishouden_id=casus.huishouden_id, soort="uitvraag").exists():
        return Stap(
            _("Brede uitvraag starten"),
            reverse("casussen:plan:uitvraag", args=[casus.pk]),
            _(
                "Begin met de brede uitvraag: het gesprek over alle leefgebieden en de zes "
                "dimensies van Positieve Gezondheid."
            ),
        )
    if plan is None:
        return Stap(_("Plan starten"), plan_url, _("De brede uitvraag is gedaan."))
    if not evaluatie_mogelijk(plan):
        return Stap(
            _("Plan vaststellen"),
            reverse("casussen:plan:vaststellen", args=[casus.pk]),
            _("Stel het plan samen met de inwoner vast; daarna kunt u evalueren."),
        )
    return Stap(
        _("Evaluatie vastleggen"),
        reverse("casussen:plan:evaluatie", args=[casus.pk]),
        _("Het plan is vastgesteld. Meet opnieuw en beoordeel de doelen."),
    )


def evaluatie_mogelijk(plan: Plan | None) -> bool:
    """An evaluation needs a plan that was vastgesteld at least once."""
    return plan is not None and plan.versies.exists()


def casus_url(casus: Any) -> str:
    """The case page (owned by the casussen pages)."""
    try:
        return reverse("casussen:casus", args=[casus.pk])
    except NoReverseMatch:
        return f"/casussen/{casus.pk}/"
