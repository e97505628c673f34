"""Signal intake from partners: the form, the API, consent modes, idempotency,
terugkoppeling and partner API clients. May import ``casussen``, ``toegang`` and ``audit``.
"""

from django.apps import AppConfig


class SignalenConfig(AppConfig):
    name = "signalen"
    verbose_name = "Signalen"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casussen.services.intake import register_merge_handler
        from signalen import events
        from signalen.services.aanmeldingen import signals_follow_merge
        from signalen.services.idempotency import idempotency_keys_purge
        from toegang import worker

        events.register()
        register_merge_handler(signals_follow_merge)
        worker.register("signalen.idempotency_purge", idempotency_keys_purge, interval=3600)
