"""Demo organisations and users for the embedded default. Idempotent.

Every app may have a ``demo`` module with ``load()``; the ``demo`` command runs
them in ``INSTALLED_APPS`` order, ``toegang`` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from toegang.identity import mfa
from toegang.models import Organisatie, Team, User
from toegang.roles import Rol
from toegang.services import user_create

DEMO_PASSWORD = "demo-Putten-2026"  # noqa: S105  # nosec B105  # demo only, printed on purpose

GEMEENTE = "Gemeente Putten"
TEAM = "Brede Toegang Putten"

ORGANISATIES: list[tuple[str, str, str, bool]] = [
    (GEMEENTE, Organisatie.Soort.GEMEENTE, "", False),
    ("Inloophuis 't Hart van Putten", Organisatie.Soort.INLOOPHUIS, "Putten-Centrum", False),
    ("Huisartsenpraktijk De Vijf Eiken", Organisatie.Soort.HUISARTS, "Putten-Oost", True),
    ("Basisschool De Wegwijzer", Organisatie.Soort.SCHOOL, "Putten-West", False),
    ("Putten voor Elkaar", Organisatie.Soort.WELZIJN, "Putten-Centrum", False),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    rol: str
    organisatie: str
    in_team: bool = False


USERS: list[DemoUser] = [
    DemoUser("teamleider", "Ingrid", "van Beek", Rol.TEAMLEIDER, GEMEENTE, True),
    DemoUser("consulent", "Sanne", "de Vries", Rol.CONSULENT, GEMEENTE, True),
    DemoUser("consulent2", "Mehmet", "Yilmaz", Rol.CONSULENT, GEMEENTE, True),
    DemoUser("consulent3", "Anouk", "Bakker", Rol.CONSULENT, GEMEENTE, True),
    DemoUser("consulent4", "Joris", "Hendriks", Rol.CONSULENT, GEMEENTE, True),
    DemoUser("gastvrouw", "Truus", "Mulder", Rol.MELDER, "Inloophuis 't Hart van Putten"),
    DemoUser("huisarts", "Pieter", "Kok", Rol.MELDER, "Huisartsenpraktijk De Vijf Eiken"),
    DemoUser("school", "Fatima", "El Amrani", Rol.MELDER, "Basisschool De Wegwijzer"),
    DemoUser("welzijn", "Kees", "Visser", Rol.MELDER, "Putten voor Elkaar"),
    DemoUser("privacy", "Marloes", "Smit", Rol.PRIVACY_OFFICER, GEMEENTE),
    DemoUser("beleid", "Ruud", "Jansen", Rol.BELEIDSADVISEUR, GEMEENTE),
    DemoUser("beheerder", "Linda", "Bos", Rol.BEHEERDER, GEMEENTE),
]


@transaction.atomic
def load() -> list[DemoUser]:
    """Create what is missing; return the users that were created now."""
    organisaties = {}
    for naam, soort, buurt, bsn in ORGANISATIES:
        organisaties[naam], _ = Organisatie.objects.get_or_create(
            naam=naam, defaults={"soort": soort, "buurt": buurt, "mag_bsn_verwerken": bsn}
        )
    team, _ = Team.objects.get_or_create(naam=TEAM, organisatie=organisaties[GEMEENTE])
    created = []
    for demo in USERS:
        if User.objects.filter(username=demo.username).exists():
            continue
        user_create(
            username=demo.username,
            password=DEMO_PASSWORD,
            rol=demo.rol,
            organisatie=organisaties[demo.organisatie],
            team=team if demo.in_team else None,
            first_name=demo.first_name,
            last_name=demo.last_name,
            # Reachable for residents: on the printout of their plan (made-up numbers).
            email=f"{demo.username}@putten.example" if demo.in_team else "",
            telefoon=f"0341 35 96 {10 + USERS.index(demo):02d}" if demo.in_team else "",
        )
        created.append(demo)
    return created


def enrol_totp() -> dict[str, str]:
    """Give each demo user who needs a second factor an authenticator secret.

    Only in DEMO_MODE: production never has known secrets. Returns username → the
    base32 secret to type into an authenticator app (or ``manage.py totp_code``).
    """
    if not getattr(settings, "DEMO_MODE", False):
        raise ImproperlyConfigured("Demo-TOTP-geheimen alleen in DEMO_MODE.")
    secrets = {}
    for user in User.objects.filter(username__in=[d.username for d in USERS]):
        if not mfa.mfa_required(user):
            continue
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
            mfa.recovery_codes_regenerate(user=user)
        secrets[user.username] = mfa.secret_base32(device)
    return secrets
