"""A sociaal vangnet overleg built through the services, for the overleg tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from casussen.overleg import services as overleg
from casussen.overleg.models import Agendapunt, Deelgrondslag, Overleg, Sessie
from casussen.services.casus import casus_open
from tests.casussen.factories import make_huishouden
from tests.signalen import factories as signaal_factories
from tests.toegang.factories import OrganisatieFactory
from toegang.models import Organisatie
from toegang.roles import Rol


def partner(naam: str, soort: str = Organisatie.Soort.WONINGCORPORATIE) -> Organisatie:
    return OrganisatieFactory(naam=naam, soort=soort, overleg_deelnemer=True)


def inbreng(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "hulpvraag": "Huurachterstand en dreigende uithuiszetting.",
        "geprobeerd": "Budgetcoaching gestart, afspraken niet nagekomen.",
        "vraag": "Wie kan een betalingsregeling en huisbezoek afstemmen?",
        "leefgebieden": ["financien", "wonen"],
        "grondslag": Deelgrondslag.TOESTEMMING,
        "toestemming_datum": timezone.localdate() - timedelta(days=2),
        "toelichting": "Mondeling, voor woningcorporatie en welzijn, voor dit overleg.",
    }
    values.update(overrides)
    return values


@dataclass
class Scene:
    aanspreekpunt: Any
    voorzitter: Any
    corporatie: Organisatie
    welzijn: Organisatie
    deelnemer: Any  # melder of the corporatie
    deelnemer2: Any  # melder of welzijn
    buitenstaander: Any  # melder of an organisation without the flag
    overleg: Overleg
    sessie: Sessie
    casus: Any


def make_scene(make_user: Any, team: Any) -> Scene:
    aanspreekpunt = make_user(Rol.CONSULENT)
    voorzitter = make_user(Rol.TEAMLEIDER)
    corporatie = partner("Woonstichting Thuis")
    welzijn = partner("Welzijn Samen", Organisatie.Soort.WELZIJN)
    deelnemer = signaal_factories.melder_of(corporatie)
    deelnemer2 = signaal_factories.melder_of(welzijn)
    buitenstaander = signaal_factories.melder_of(signaal_factories.inloophuis("Inloop Elders"))
    ov = overleg.overleg_create(
        naam="Sociaal vangnet overleg Centrum",
        voorzitter=voorzitter,
        deelnemers=[deelnemer, deelnemer2, buitenstaander],
        schema="Elke tweede dinsdag, 10:00",
        by=voorzitter,
    )
    start = timezone.now() + timedelta(hours=1)
    sessie = overleg.sessie_plan(
        overleg=ov, begint_op=start, eindigt_op=start + timedelta(hours=2), by=voorzitter
    )
    huishouden, _ = make_huishouden({})
    casus = casus_open(huishouden=huishouden, aanspreekpunt=aanspreekpunt, team=team, by=voorzitter)
    return Scene(
        aanspreekpunt, voorzitter, corporatie, welzijn, deelnemer, deelnemer2, buitenstaander,
        ov, sessie, casus,
    )  # fmt: skip


def bring_in(scene: Scene, *, gedeeld_met: list[Any] | None = None, **overrides: Any) -> Agendapunt:
    return overleg.casus_inbrengen(
        sessie=scene.sessie,
        casus=scene.casus,
        by=scene.aanspreekpunt,
        gedeeld_met=[scene.deelnemer] if gedeeld_met is None else gedeeld_met,
        **inbreng(**overrides),
    )
