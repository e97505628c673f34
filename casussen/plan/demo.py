"""Demo plans: households at every stage, from a fresh aanmelding to an evaluated plan.

Called from ``casussen.demo.load()``. Works on the open casussen that have an
aanspreekpunt (opening a few itself when there are none yet), through the
services, so every text is sealed and every step audited. Idempotent: a casus
whose huishouden already has a plan or a meting is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from casussen.models import Casus, Huishouden
from casussen.plan import services
from casussen.plan.constants import MetingSoort
from casussen.plan.models import Meting, Plan
from casussen.plan.selectors import gezinslid_naam
from toegang.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class DemoActie:
    omschrijving: str
    eigenaar_soort: str
    trede: int
    dagen: int
    eigenaar_omschrijving: str = ""
    reden_zwaar: str = ""


@dataclass(frozen=True)
class DemoDoel:
    tekst: str
    dimensies: tuple[str, ...]
    leefgebieden: tuple[str, ...]
    acties: tuple[DemoActie, ...]


DOELEN: tuple[DemoDoel, ...] = (
    DemoDoel(
        "Ik wil weer overzicht over mijn geld en geen aanmaningen meer in de bus.",
        ("mentaal_welbevinden", "dagelijks_functioneren"),
        ("financien",),
        (
            DemoActie(
                "Elke zaterdag samen met mijn dochter de post openen", "netwerk", 1, 30, "dochter"
            ),
            DemoActie(
                "Iedere dinsdag naar het Financieel Café",
                "partnerorganisatie",
                2,
                45,
                "Financieel Café Putten",
            ),
            DemoActie("Aanmelden bij de schuldhulpverlening", "gemeente", 3, 60),
        ),
    ),
    DemoDoel(
        "Ik wil twee keer per week onder de mensen zijn.",
        ("meedoen", "zingeving"),
        ("eenzaamheid",),
        (
            DemoActie(
                "Koffie drinken in het inloophuis op woensdagochtend",
                "inwoner",
                2,
                21,
                "Inloophuis 't Hart van Putten",
            ),
            DemoActie("De buurvrouw gaat de eerste keer mee", "netwerk", 1, 14, "buurvrouw"),
        ),
    ),
    DemoDoel(
        "Ik wil dat Daan weer elke dag naar school gaat.",
        ("dagelijks_functioneren", "kwaliteit_van_leven"),
        ("opvoeden", "school"),
        (
            DemoActie(
                "Gesprek met de intern begeleider over een rustige start",
                "partnerorganisatie",
                2,
                20,
                "Basisschool De Wegwijzer",
            ),
            DemoActie(
                "Jeugdhulp thuis, twee keer per week",
                "partnerorganisatie",
                3,
                90,
                "jeugdhulpaanbieder",
            ),
        ),
    ),
    DemoDoel(
        "Ik wil in mijn huis kunnen blijven wonen.",
        ("kwaliteit_van_leven", "mentaal_welbevinden"),
        ("wonen", "financien"),
        (
            DemoActie(
                "Beschermingsbewind aanvragen bij de rechtbank",
                "gemeente",
                4,
                40,
                reden_zwaar="Huurachterstand van drie maanden; de verhuurder dreigt met "
                "ontruiming. Eigen kracht en netwerk zijn nu niet genoeg.",
            ),
        ),
    ),
    DemoDoel(
        "Ik wil 's nachts weer kunnen slapen en minder moe zijn.",
        ("lichaamsfuncties", "mentaal_welbevinden"),
        ("gezondheid",),
        (
            DemoActie("Afspraak maken bij de huisarts", "inwoner", 1, 10),
            DemoActie(
                "Meedoen met de beweeggroep in het dorpshuis",
                "partnerorganisatie",
                2,
                60,
                "Putten voor Elkaar",
            ),
        ),
    ),
)

#: Scores at the uitvraag and how much each later evaluation adds (capped at 10).
START_SCORES = {
    "lichaamsfuncties": 5,
    "mentaal_welbevinden": 3,
    "zingeving": 4,
    "kwaliteit_van_leven": 4,
    "meedoen": 2,
    "dagelijks_functioneren": 5,
}
GROEI = (
    {"meedoen": 2, "mentaal_welbevinden": 1, "zingeving": 1},
    {
        "meedoen": 1,
        "mentaal_welbevinden": 2,
        "kwaliteit_van_leven": 2,
        "dagelijks_functioneren": 1,
        "lichaamsfuncties": 1,
    },
)
WOORDEN = {
    "meedoen": "Ik kom de deur bijna niet meer uit.",
    "mentaal_welbevinden": "Ik lig 's nachts wakker van de rekeningen.",
    "zingeving": "Sinds mijn man er niet meer is, weet ik niet goed waarvoor ik opsta.",
}
NOTITIES = {
    "financien": "Achterstand bij energie en zorgverzekeraar; post blijft ongeopend.",
    "eenzaamheid": "Weinig contact sinds overlijden partner; dochter woont in Ermelo.",
    "gezondheid": "Slaapt slecht, gebruikt geen medicatie; huisarts is op de hoogte.",
    "wonen": "Huurwoning, huurachterstand van twee maanden.",
}

STAGES = 6  # 0 aangemeld, 1 uitvraag, 2 concept, 3 vastgesteld, 4 nieuwe versie, 5 geëvalueerd


def _scores(step: int) -> dict[str, int]:
    values = dict(START_SCORES)
    for growth in GROEI[:step]:
        for code, plus in growth.items():
            values[code] = min(10, values[code] + plus)
    return values


def _casussen() -> list[Casus]:
    open_casussen = list(
        Casus.objects.exclude(status=Casus.Status.AFGESLOTEN)
        .filter(aanspreekpunt__isnull=False)
        .select_related("aanspreekpunt", "huishouden__data_key")
        .order_by("opened_at", "id")
    )
    return open_casussen or _open_demo_casussen()


def _open_demo_casussen() -> list[Casus]:
    """Without demo casussen of the casus pages yet: open some for the demo huishoudens."""
    from casussen.services.casus import casus_open
    from toegang.demo import TEAM
    from toegang.models import Team, User

    consulent = User.objects.filter(username="consulent").first()
    team = Team.objects.filter(naam=TEAM).first()
    if consulent is None or team is None:
        return []
    opened = []
    for huishouden in Huishouden.objects.filter(casussen__isnull=True, shredded_at__isnull=True):
        opened.append(
            casus_open(huishouden=huishouden, aanspreekpunt=consulent, team=team, by=consulent)
        )
    return opened


def _uitvraag(casus: Casus, by: Any, lid: Any, datum: date) -> None:
    services.meting_record(
        casus=casus,
        by=by,
        soort=MetingSoort.UITVRAAG,
        datum=datum,
        scores=_scores(0),
        toelichtingen=WOORDEN,
        notities=NOTITIES,
        gezinslid=lid,
    )


def _betrokkene(casus: Casus) -> Any:
    """A betrokkene of the casus keeps the partner's actions up to date, if there is one."""
    row = casus.betrokkenen.filter(revoked_at__isnull=True).select_related("user").first()
    return row.user if row is not None else None


def _plan(casus: Casus, by: Any, lid: Any, start: date, index: int) -> Plan:
    plan = services.plan_create(casus=casus, startdatum=start, by=by)
    partner = _betrokkene(casus)
    for offset in range(2):
        demo = DOELEN[(index + offset) % len(DOELEN)]
        doel = services.doel_add(
            plan=plan,
            casus=casus,
            by=by,
            tekst=demo.tekst,
            dimensies=demo.dimensies,
            leefgebieden=demo.leefgebieden,
            gezinsleden=[lid.pk] if lid else [],
        )
        for actie in demo.acties:
            services.actie_add(
                doel=doel,
                casus=casus,
                by=by,
                omschrijving=actie.omschrijving,
                eigenaar_soort=actie.eigenaar_soort,
                trede=actie.trede,
                deadline=start + timedelta(days=actie.dagen),
                eigenaar_omschrijving=actie.eigenaar_omschrijving,
                eigenaar=partner if actie.eigenaar_soort == "partnerorganisatie" else None,
                reden_zwaar=actie.reden_zwaar,
            )
    plan.refresh_from_db()
    return plan


def _vaststellen(plan: Plan, casus: Casus, by: Any, lid: Any, datum: date) -> None:
    aanwezig = [gezinslid_naam(lid)] if lid else ["inwoner"]
    services.plan_vaststellen(
        plan=plan, casus=casus, by=by, datum=datum, aanwezig=[*aanwezig, by.get_full_name()]
    )


def _progress(plan: Plan, casus: Casus, by: Any, *, klaar: int) -> None:
    acties = [a for doel in plan.doelen.all() for a in doel.acties.all()]
    for number, actie in enumerate(acties):
        status = "klaar" if number < klaar else "bezig"
        services.actie_status_set(actie=actie, casus=casus, by=by, status=status)


def _stage(casus: Casus, stage: int, index: int) -> None:
    by = casus.aanspreekpunt
    lid = casus.huishouden.gezinsleden.first()
    today = timezone.localdate()
    start = today - timedelta(days=150 if stage >= 4 else 40)
    if stage >= 1:
        _uitvraag(casus, by, lid, start - timedelta(days=7))
    if stage < 2:
        return
    plan = _plan(casus, by, lid, start, index)
    if stage < 3:
        return
    _vaststellen(plan, casus, by, lid, start)
    _progress(plan, casus, by, klaar=1)
    if stage < 4:
        return
    services.evaluatie_record(
        casus=casus, by=by, datum=start + timedelta(days=75), scores=_scores(1), gezinslid=lid
    )
    eerste = plan.doelen.all()[0]
    services.doel_update(
        doel=eerste,
        casus=casus,
        by=by,
        tekst=f"{eerste.tekst} En ik wil zelf mijn rekeningen betalen.",
    )
    if stage < 5:
        return
    plan.refresh_from_db()
    _vaststellen(plan, casus, by, lid, start + timedelta(days=80))
    _progress(plan, casus, by, klaar=3)
    uitkomsten = dict(
        zip([str(d.pk) for d in plan.doelen.all()], ["bereikt", "deels_bereikt"], strict=False)
    )
    services.evaluatie_record(
        casus=casus,
        by=by,
        datum=today - timedelta(days=3),
        scores=_scores(2),
        gezinslid=lid,
        uitkomsten=uitkomsten,
    )


def load() -> int:
    """Bring demo casussen to their stage; return how many were filled in now."""
    done = 0
    for index, casus in enumerate(_casussen()):
        has_plan = Plan.objects.filter(huishouden_id=casus.huishouden_id).exists()
        if has_plan or Meting.objects.filter(huishouden_id=casus.huishouden_id).exists():
            continue
        stage = STAGES - 1 - (index % STAGES)  # the first casus gets the full story
        with transaction.atomic():
            _stage(casus, stage, index)
        done += 1
    log.info("plan_demo_loaded", casussen=done)
    return done
