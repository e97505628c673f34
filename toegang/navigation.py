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
    items = []
    for label, name in _ITEMS.get(user.rol, []):
        url = reverse(name)
        items.append(NavItem(label=str(label), url=url, current=path.startswith(url)))
    return items
