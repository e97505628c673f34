from __future__ import annotations

from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "monitor"
    verbose_name = "Beleidsmonitor"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from monitor import buurten, projection
        from monitor.models import Buurt, PostcodeGebied
        from toegang import worker

        for model in (Buurt, PostcodeGebied):
            post_save.connect(buurten.kaart_vergeten, sender=model, dispatch_uid=f"kaart-{model}")
            post_delete.connect(
                buurten.kaart_vergeten, sender=model, dispatch_uid=f"kaart-d-{model}"
            )

        # Its own lane: a slow projection round never delays the relay or the sealer.
        worker.register("monitor_projectie", projection.consume_round, interval=0.5, lane="monitor")
