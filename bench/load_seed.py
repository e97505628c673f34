"""Seed data for ``bench.load``: the demo organisations, partner API clients, consulenten
with open casussen, each with an API token. Writes the tokens to files for the load scripts.

Run by ``bench.load`` in a child process with the production settings of the run:

    python -m bench.load_seed OUTPUT_DIR --partners 300 --consulenten 40 --casussen 15
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django


def seed(out: Path, *, partners: int, consulenten: int, casussen: int) -> None:
    from casussen.services.casus import casus_open
    from casussen.services.huishouden import gezinslid_add, huishouden_create
    from signalen.services import partner_client_create
    from toegang import demo
    from toegang.models import Organisatie, Team, User
    from toegang.roles import Rol
    from toegang.services import api_token_create, user_create

    demo.load()
    team = Team.objects.get(naam=demo.TEAM)
    gemeente = team.organisatie
    beheerder = User.objects.get(username="beheerder")
    teamleider = User.objects.get(username="teamleider")
    praktijk = Organisatie.objects.filter(soort=Organisatie.Soort.HUISARTS).first()
    assert praktijk is not None

    partner_tokens = []
    for index in range(partners):
        _client, issued = partner_client_create(
            username=f"load-partner-{index:04d}", organisatie=praktijk, by=beheerder
        )
        partner_tokens.append(issued.plaintext)

    lines = []
    for index in range(consulenten):
        consulent = user_create(
            username=f"load-consulent-{index:03d}",
            password=None,
            rol=Rol.CONSULENT,
            organisatie=gemeente,
            team=team,
            first_name="Last",
            last_name=f"Test {index}",
        )
        token = api_token_create(user=consulent, naam="load").plaintext
        for number in range(casussen):
            huishouden = huishouden_create(by=None)
            gezinslid_add(
                huishouden=huishouden,
                by=None,
                achternaam=f"Huishouden {index}-{number}",
                voornaam="Test",
                postcode="3881 AB",
                huisnummer=str(number + 1),
            )
            casus = casus_open(
                huishouden=huishouden,
                aanspreekpunt=consulent,
                team=team,
                by=teamleider,
                leefgebieden=("wonen", "financien"),
            )
            lines.append(f"{token} {casus.pk}")

    (out / "partners.txt").write_text("\n".join(partner_tokens) + "\n")
    (out / "consulenten.txt").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--partners", type=int, default=300)
    parser.add_argument("--consulenten", type=int, default=40)
    parser.add_argument("--casussen", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.production")
    django.setup()
    seed(args.out, partners=args.partners, consulenten=args.consulenten, casussen=args.casussen)


if __name__ == "__main__":
    sys.exit(main())
