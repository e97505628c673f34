"""Signal intake from partners: the form, the API, consent modes, idempotency,
terugkoppeling and partner API clients. May import ``casussen``, ``toegang`` and ``audit``.
"""

from django.apps import AppConfig


class SignalenConfig(AppConfig):
    name = "signalen"
    verbose_name = "Signalen"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from audit.subjects import register_owner_lookup
        from casussen.services.intake import register_merge_handler
        from signalen import events
        from signalen.models import PartnerClient
        from signalen.selectors import signaal_owner
        from signalen.services.aanmeldingen import signals_follow_merge
        from signalen.services.idempotency import idempotency_keys_purge
        from signalen.services.intake import team_for_intake_forget
        from signalen.throttles import client_rate_changed
        from toegang import worker
        from toegang.models import Organisatie, Team

        events.register()
        for model in (Team, Organisatie):
            post_save.connect(team_for_intake_forget, sender=model, dispatch_uid=f"intake-{model}")
            post_delete.connect(team_for_intake_forget, sender=model, dispatch_uid=f"del-{model}")
        post_save.connect(client_rate_changed, sender=PartnerClient, dispatch_uid="client-rate")
        post_delete.connect(client_rate_changed, sender=PartnerClient, dispatch_uid="client-rate-d")
        register_merge_handler(signals_follow_merge)
        register_owner_lookup(signaal_owner)
        worker.register("signalen.idempotency_purge", idempotency_keys_purge, interval=3600)
