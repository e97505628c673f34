from __future__ import annotations

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "toegang.events"
    label = "events"
    verbose_name = "Gebeurtenissen"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from toegang.events import jobs

        jobs.register_worker_jobs()
