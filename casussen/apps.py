from django.apps import AppConfig


class CasussenConfig(AppConfig):
    name = "casussen"
    verbose_name = "Casussen"
    default_auto_field = "django.db.models.BigAutoField"
