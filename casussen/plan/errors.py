"""Errors of the plan services, mapped to HTTP in one place per surface.

Validation problems are ``django.core.exceptions.ValidationError`` with Dutch
messages per field (API: 400 problem+json with invalid-params). Editing an old,
vastgestelde version is ``VersieVastgesteldError`` (API: 409). A betrokkene who may
not change something gets ``django.core.exceptions.PermissionDenied`` (403).
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class PlanError(Exception):
    """Base of the plan's domain errors; ``str()`` is a Dutch message for the user."""


class VersieVastgesteldError(PlanError):
    """A write named a version of the plan that is no longer the current one."""

    def __init__(self, *, versie: int, huidig: int) -> None:
        self.versie, self.huidig = versie, huidig
        super().__init__(
            _(
                "Versie %(versie)s van het plan is vastgesteld en kan niet meer worden "
                "gewijzigd. Wijzigingen komen in de huidige versie (%(huidig)s)."
            )
            % {"versie": versie, "huidig": huidig}
        )


class PlanBestaatAlError(PlanError):
    """The huishouden already has its one plan."""

    def __init__(self) -> None:
        super().__init__(_("Dit huishouden heeft al een plan: er is één plan per huishouden."))
