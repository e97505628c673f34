"""The navigation of each role: one list, used by every page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from toegang.roles import Rol


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


_ITEMS: dict[str, list[tuple[Any, str]]] = {
    Rol.CONSULENT: [
        (_("Mijn casussen"), "casussen:mijn_casussen"),
        (_("Aanmeldingen"), "signalen:aanmeldingen"),
        (_("Overleg"), "casussen:overleg:overzicht"),
    ],
    Rol.TEAMLEIDER: [
        (_("Aanmeldingen"), "signalen:aanmeldingen"),
        (_("Caseload"), "casussen:caseload"),
        (_("Overleg"), "casussen:overleg:overzicht"),
    ],
    Rol.MELDER: [
        (_("Nieuw signaal"), "signalen:nieuw"),
        (_("Mijn signalen"), "signalen:mijn_signalen"),
        (_("Overleg"), "casussen:overleg:overzicht"),
    ],
    Rol.PRIVACY_OFFICER: [
        (_("Audit"), "audit:console"),
        (_("Verzoeken"), "casussen:rechtenverzoeken"),
        (_("Vernietiging"), "casussen:vernietiging"),
        (_("Grondslagen overleg"), "casussen:overleg:grondslagen"),
    ],
    Rol.BELEIDSADVISEUR: [(_("Monitor"), "monitor:index")],
    Rol.BEHEERDER: [
        (_("Beheer"), "admin:index"),
        (_("Bewaartermijnen"), "casussen:bewaartermijnen"),
    ],
}


def navigation_for(user: Any, path: str) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    links = [(str(label), reverse(name)) for label, name in _ITEMS.get(user.rol, [])]
    # The current page is the longest link the path starts with: on /signalen/nieuw/
    # that is "Nieuw signaal", not also "Mijn signalen" (/signalen/).
    current = max((url for _label, url in links if path.startswith(url)), key=len, default=None)
    return [NavItem(label=label, url=url, current=url == current) for label, url in links]
