"""The six roles of the platform. Each is a Django group of the same name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rol(models.TextChoices):
    CONSULENT = "consulent", _("Consulent")
    TEAMLEIDER = "teamleider", _("Teamleider")
    MELDER = "melder", _("Melder")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    BELEIDSADVISEUR = "beleidsadviseur", _("Beleidsadviseur")
    BEHEERDER = "beheerder", _("Beheerder")


#: The URL name of each role's home page after login.
HOME_URL_NAME: dict[str, str] = {
    Rol.CONSULENT: "casussen:mijn_casussen",
    Rol.TEAMLEIDER: "signalen:aanmeldingen",
    Rol.MELDER: "signalen:nieuw",
    Rol.PRIVACY_OFFICER: "audit:console",
    Rol.BELEIDSADVISEUR: "monitor:index",
    Rol.BEHEERDER: "admin:index",
}

#: Models the beheerder manages in the Django admin ("app_label.model"). Never Casus or Signaal:
#: model-level view/change there would open every row (see docs/security.md).
BEHEERDER_MODELS: list[str] = [
    "toegang.organisatie",
    "toegang.team",
    "toegang.user",
    "toegang.apitoken",
    "monitor.wijk",
    "monitor.buurt",
    "monitor.postcodegebied",
]
