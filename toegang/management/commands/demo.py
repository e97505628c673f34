from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from toegang import demo


class Command(BaseCommand):
    help = "Laad de demogegevens (idempotent) en toon de demo-inloggegevens."

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo.load()
        secrets = demo.enrol_totp()
        summaries: list[str] = []
        for config in apps.get_app_configs():
            if config.name == "toegang":
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.load()
            summaries.extend(getattr(module, "summary", list)())
        self.stdout.write(self.style.SUCCESS("Demogegevens geladen."))
        if created:
            self.stdout.write(f"Nieuwe demo-accounts: {len(created)}")
        self.stdout.write("")
        self.stdout.write(f"Demo-inloggegevens (wachtwoord voor allemaal: {demo.DEMO_PASSWORD}):")
        self.stdout.write(
            "  Tweede factor: zet het TOTP-geheim in een authenticator-app, of vraag de code "
            "op met `python manage.py totp_code <gebruiker>`."
        )
        self.stdout.write(
            "  Passkey: na het inloggen toevoegen onder Mijn account; werkt op "
            "http://localhost:<poort>, niet op 127.0.0.1."
        )
        for user in demo.USERS:
            secret = secrets.get(user.username, "(geen tweede factor nodig)")
            self.stdout.write(f"  {user.username:<12} {user.rol:<16} TOTP-geheim: {secret}")
        for line in summaries:
            self.stdout.write(line)
