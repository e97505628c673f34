from django.apps import AppConfig


class ToegangConfig(AppConfig):
    name = "toegang"
    verbose_name = "Brede Toegang"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from toegang import checks  # noqa: F401  (registers system checks)
