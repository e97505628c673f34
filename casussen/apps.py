from __future__ import annotations

from django.apps import AppConfig


class CasussenConfig(AppConfig):
    name = "casussen"
    verbose_name = "Casussen"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casussen import hooks

        hooks.register()
