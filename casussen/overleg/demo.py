"""Demo: one sociaal vangnet overleg of Putten with a published session and the next one.

* Last week's session (published, over): a casus of ``consulent`` discussed with
  the welzijn organisation, an afspraak for them and a verslag. Its summaries have
  expired: partners see only their afspraak; the chair keeps agenda and attendance.
* Today's session (not yet published, empty): bring a casus in as ``consulent``,
  publish as ``teamleider`` and follow it live as ``huisarts`` and ``welzijn``.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from casussen.models import Casus
from casussen.overleg import services
from casussen.overleg.models import AfspraakEigenaar, Deelgrondslag, Overleg, Sessie
from casussen.plan.constants import Trede
from toegang.models import Organisatie, User

NAAM = "Sociaal vangnet overleg Putten"
PARTNERS = ["Huisartsenpraktijk De Vijf Eiken", "Putten voor Elkaar", "Basisschool De Wegwijzer"]


def _users() -> dict[str, User]:
    names = ["teamleider", "consulent", "consulent2", "huisarts", "welzijn", "school"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


@transaction.atomic
def load() -> int:
    """Create the demo overleg once; returns how many sessions were made."""
    if Overleg.objects.filter(naam=NAAM).exists():
        return 0
    users = _users()
    casussen = list(
        Casus.objects.filter(aanspreekpunt=users.get("consulent"))
        .exclude(status=Casus.Status.AFGESLOTEN)
        .order_by("opened_at", "id")[:2]
    )
    if len(users) < 6 or len(casussen) < 2:
        return 0
    Organisatie.objects.filter(naam__in=PARTNERS).update(overleg_deelnemer=True)
    users = _users()  # with their organisations' new flag
    voorzitter = users["teamleider"]
    overleg = services.overleg_create(
        naam=NAAM,
        voorzitter=voorzitter,
        deelnemers=[users[n] for n in ("huisarts", "welzijn", "school", "consulent2")],
        schema="Elke tweede dinsdag van de maand, 10.00–12.00 uur",
        by=voorzitter,
    )
    now = timezone.now().replace(second=0, microsecond=0)
    vorige = services.sessie_plan(
        overleg=overleg, begint_op=now, eindigt_op=now + timedelta(hours=2), by=voorzitter
    )
    punt = services.casus_inbrengen(
        sessie=vorige,
        casus=casussen[1],
        by=users["consulent"],
        hulpvraag="Mevrouw is sinds het overlijden van haar man veel alleen en eet slecht.",
        geprobeerd="Twee keer meegegaan naar de koffieochtend; daarna niet meer gekomen.",
        vraag="Wie kan wekelijks langsgaan en haar naar de eettafel begeleiden?",
        leefgebieden=["eenzaamheid", "gezondheid"],
        grondslag=Deelgrondslag.TOESTEMMING,
        toestemming_datum=timezone.localdate() - timedelta(days=9),
        toelichting="Mondeling, voor Putten voor Elkaar, alleen voor dit overleg.",
        gedeeld_met=[users["welzijn"]],
    )
    vorige = services.sessie_publiceren(sessie=vorige, by=voorzitter)
    services.huidig_punt_kiezen(sessie=vorige, punt=punt, by=voorzitter)
    services.aanwezigheid_vastleggen(
        sessie=vorige,
        aanwezig=[voorzitter, users["consulent"], users["welzijn"], users["huisarts"]],
        by=voorzitter,
    )
    services.afspraak_vastleggen(
        punt=punt,
        by=voorzitter,
        omschrijving="Maatje zoeken en mevrouw meenemen naar de eettafel op donderdag.",
        eigenaar_soort=AfspraakEigenaar.ORGANISATIE,
        organisatie=users["welzijn"].organisatie,
        datum=timezone.localdate() + timedelta(days=14),
        trede=Trede.ALGEMENE_VOORZIENING,
    )
    services.verslag_vastleggen(
        punt=punt,
        tekst="Besproken met Putten voor Elkaar; zij zoeken een maatje. Evaluatie over een maand.",
        by=voorzitter,
    )
    # Move last week's session into the past: its access window is over.
    week = timedelta(days=7)
    Sessie.objects.filter(pk=vorige.pk).update(
        begint_op=now - week, eindigt_op=now - week + timedelta(hours=2), gepubliceerd_op=now - week
    )
    start = now + timedelta(hours=1)
    services.sessie_plan(
        overleg=overleg, begint_op=start, eindigt_op=start + timedelta(hours=2), by=voorzitter
    )
    return 2
