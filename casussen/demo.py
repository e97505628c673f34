"""Demo huishoudens with gezinsleden (Faker nl_NL, valid BSNs), created through the services.

Idempotent: does nothing once any huishouden exists. Every personal value is
sealed on the way in; after ``manage.py demo`` no name or BSN is stored in plain text.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from faker import Faker

from casussen.models import Huishouden, Relatie
from casussen.overleg import demo as overleg_demo
from casussen.plan import demo as plan_demo
from casussen.services.huishouden import gezinslid_add, huishouden_create
from toegang.crypto.bsn import bsn_is_valid

HUISHOUDENS = 6
SEED = 2026


def _bsn(fake: Faker) -> str:
    while True:
        bsn = fake.ssn()
        if bsn_is_valid(bsn):
            return bsn


def _birth_date(fake: Faker, min_age: int, max_age: int) -> date:
    return fake.date_between(
        start_date=date.today() - timedelta(days=365 * max_age),
        end_date=date.today() - timedelta(days=365 * min_age),
    )


def load() -> int:
    """Demo huishoudens, then their casussen; returns how many huishoudens were created."""
    created = load_huishoudens()
    load_casussen()
    plan_demo.load()
    overleg_demo.load()
    load_levensloop()
    load_rechten()
    return created


def load_huishoudens() -> int:
    """Create the demo huishoudens if there are none; return how many were created."""
    if Huishouden.objects.exists():
        return 0
    fake = Faker("nl_NL")
    fake.seed_instance(SEED)
    for number in range(HUISHOUDENS):
        huishouden = huishouden_create(by=None)
        achternaam = fake.last_name()
        adres = {
            "straat": fake.street_name(),
            "huisnummer": fake.building_number(),
            "postcode": fake.postcode(),
            "woonplaats": "Putten",
        }
        leden = [(Relatie.AANVRAGER, 25, 80)]
        if number % 2 == 0:
            leden.append((Relatie.PARTNER, 25, 80))
        leden += [(Relatie.KIND, 0, 17)] * (number % 3)
        for relatie, min_age, max_age in leden:
            gezinslid_add(
                huishouden=huishouden,
                by=None,
                relatie=relatie,
                voornaam=fake.first_name(),
                achternaam=achternaam if relatie != Relatie.PARTNER else fake.last_name(),
                geboortedatum=_birth_date(fake, min_age, max_age),
                bsn=_bsn(fake),
                telefoon=fake.phone_number() if relatie != Relatie.KIND else "",
                **adres,
            )
    return HUISHOUDENS


#: (aanspreekpunt username or None, leefgebieden, urgent) per demo huishouden, in order.
CASUSSEN: list[tuple[str | None, list[str], bool]] = [
    ("consulent", ["financien", "wonen"], True),
    ("consulent", ["eenzaamheid"], False),
    ("consulent", ["opvoeden", "school"], False),
    ("consulent", ["gezondheid"], False),
    ("consulent2", ["werk"], False),
    (None, ["financien"], True),
]


def load_casussen() -> int:
    """Open casussen for the demo huishoudens (once); one with a betrokkene."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from casussen.models import Casus
    from casussen.services.betrokkenen import betrokkene_add
    from casussen.services.casus import casus_open
    from toegang.demo import TEAM
    from toegang.models import Team, User

    if Casus.objects.exists():
        return 0
    team = Team.objects.filter(naam=TEAM).first()
    names = ["teamleider", "consulent", "consulent2"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if team is None or len(users) < 3:
        return 0
    huishoudens = list(Huishouden.objects.order_by("created_at")[: len(CASUSSEN)])
    made = []
    with transaction.atomic():
        for huishouden, (username, gebieden, urgent) in zip(huishoudens, CASUSSEN, strict=False):
            made.append(
                casus_open(
                    huishouden=huishouden,
                    aanspreekpunt=users[username] if username else None,
                    team=team,
                    by=users["teamleider"],
                    urgent=urgent,
                    leefgebieden=gebieden,
                )
            )
        if made:
            betrokkene_add(
                casus=made[0],
                user=users["consulent2"],
                reden="Schuldhulpverlening (Financieel Café)",
                eind_datum=timezone.localdate() + timedelta(days=60),
                by=users["consulent"],
            )
        _demo_noodtoegang(made, users["consulent2"])
    return len(made)


def _demo_noodtoegang(casussen: list[Any], user: Any) -> None:
    """One noodtoegang, so the privacy officer's review queue shows an episode."""
    from casussen.services.access import VIEW, has_access
    from casussen.services.betrokkenen import noodtoegang_start

    for casus in casussen[1:]:
        if not has_access(user_id=user.pk, casus_id=casus.pk, codename=VIEW):
            noodtoegang_start(
                casus_id=casus.pk,
                reden="Crisis buiten kantoortijd; het aanspreekpunt was niet bereikbaar.",
                by=user,
            )
            return


#: Closed demo casussen: (afsluitreden, grondslag, days since closing). The first three
#: are past their bewaartermijn, so a fresh demo has a destruction list; the Jeugdwet one
#: is not yet (20 years); the last can still be reopened.
AFGESLOTEN: list[tuple[str, str, int]] = [
    ("doelen_bereikt", "wmo_2015", 8 * 365),
    ("verhuisd", "participatiewet", 9 * 365),
    ("geen_hulpvraag", "geen_wettelijke_taak", 3 * 365),
    ("overgedragen", "jeugdwet", 6 * 365),
    ("doelen_bereikt", "wmo_2015", 10),
]


def load_levensloop() -> int:
    """Closed casussen (some past their term) and the destruction list they are on (once)."""
    from django.db import transaction
    from django.utils import timezone

    from casussen.models import Casus, CasusAfsluiting, Vernietigingslijst
    from casussen.services.casus import casus_open, casus_set_status
    from casussen.services.retention import vernietigingslijst_opstellen
    from toegang.demo import TEAM
    from toegang.models import Team, User

    if Vernietigingslijst.objects.exists() or CasusAfsluiting.objects.exists():
        return 0
    team = Team.objects.filter(naam=TEAM).first()
    users = {u.username: u for u in User.objects.filter(username__in=["teamleider", "consulent"])}
    if team is None or len(users) < 2:
        return 0
    fake = Faker("nl_NL")
    fake.seed_instance(SEED + 1)
    with transaction.atomic():
        for afsluitreden, grondslag, dagen in AFGESLOTEN:
            huishouden = huishouden_create(by=None)
            gezinslid_add(
                huishouden=huishouden,
                by=None,
                relatie=Relatie.AANVRAGER,
                voornaam=fake.first_name(),
                achternaam=fake.last_name(),
                geboortedatum=_birth_date(fake, 25, 80),
                bsn=_bsn(fake),
                woonplaats="Putten",
            )
            casus = casus_open(
                huishouden=huishouden,
                aanspreekpunt=users["consulent"],
                team=team,
                by=users["teamleider"],
            )
            casus = casus_set_status(
                casus=casus,
                status=Casus.Status.AFGESLOTEN,
                version=casus.version,
                by=users["consulent"],
                afsluitreden=afsluitreden,
                grondslag=grondslag,
            )
            then = timezone.now() - timedelta(days=dagen)
            Casus.objects.filter(pk=casus.pk).update(
                opened_at=then - timedelta(days=200), closed_at=then, last_activity_at=then
            )
            CasusAfsluiting.objects.filter(casus=casus).update(op=then)
        vernietigingslijst_opstellen(by=None)
    return len(AFGESLOTEN)


#: One open request of each kind for the privacy officer: (soort, days ago, what was asked).
VERZOEKEN = [
    ("correctie", 3, "Het telefoonnummer klopt niet; de inwoner gaf het nieuwe nummer door."),
    ("beperking", 12, "De inwoner betwist de juistheid van het dossier en vraagt beperking."),
    ("bezwaar", 20, "De inwoner maakt bezwaar tegen verdere verwerking; wil geen hulp meer."),
    ("wissing", 34, "De inwoner vraagt alle gegevens te wissen."),
]


def load_rechten() -> int:
    """Open residents' requests of each kind for 'privacy' (once), on open demo casussen."""
    from django.db import transaction
    from django.utils import timezone

    from casussen.models import Casus, Rechtenverzoek
    from casussen.services.rechten import verzoek_registreren
    from toegang.models import User

    privacy = User.objects.filter(username="privacy").first()
    if privacy is None or Rechtenverzoek.objects.exists():
        return 0
    casussen = list(
        Casus.objects.exclude(status=Casus.Status.AFGESLOTEN)
        .filter(beperkt=False)
        .order_by("-opened_at")[1 : 1 + len(VERZOEKEN)]
    )
    with transaction.atomic():
        for casus, (soort, dagen, reden) in zip(casussen, VERZOEKEN, strict=False):
            lid = casus.huishouden.gezinsleden.order_by("created_at").first()
            if soort == "correctie" and lid is None:
                continue  # a correction names a gezinslid (a household of older demo data)
            correctie = soort == "correctie"
            verzoek_registreren(
                soort=soort,
                huishouden=casus.huishouden,
                by=privacy,
                reden=reden,
                ontvangen_op=timezone.localdate() - timedelta(days=dagen),
                gezinslid=lid if correctie else None,
                veld="telefoon" if correctie else "",
                nieuwe_waarde="0341-555 123" if correctie else "",
            )
    return len(casussen)


def summary() -> list[str]:
    """A demo resident to try the privacy officer's "who looked at my file?" with."""
    from casussen.models import Gezinslid

    lid = (
        Gezinslid.objects.filter(relatie=Relatie.AANVRAGER, huishouden__casussen__isnull=False)
        .order_by("huishouden__created_at", "created_at")
        .first()
    )
    if lid is None:
        return []
    return [
        "",
        "Verzonnen demo-inwoner (voor het inzageverzoek in Audit, inloggen als 'privacy'):",
        f"  {lid.voornaam} {lid.achternaam}, geboren {lid.geboortedatum:%d-%m-%Y}, BSN {lid.bsn}",
    ]
