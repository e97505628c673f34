"""Closing a casus with a reason and a legal basis, changing them, and reopening within a term.

Every step is a ``CasusAfsluiting`` row (the closure history, append-only), a
timeline line, an audit record and an event, in one transaction. The grondslag
decides the bewaartermijn (``casussen.bewaartermijnen``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie
from casussen import events
from casussen.errors import CasusConflict, VersieConflict
from casussen.models.casus import Afsluitreden, Casus, CasusAfsluiting, Grondslag, TimelineEntry
from casussen.services._common import audit_casus, lock, may_manage
from toegang.models import User

AFSLUIT_VELDEN = ["status", "afsluitreden", "grondslag"]


def heropen_termijn() -> timedelta:
    """How long after closing a casus can be reopened (``CASUS_HEROPEN_DAGEN``, default 180)."""
    return timedelta(days=int(getattr(settings, "CASUS_HEROPEN_DAGEN", 180)))


def clean_afsluiting(afsluitreden: str | None, grondslag: str | None) -> tuple[str, str]:
    """Both are required and must be known; raises ``ValidationError`` with Dutch messages."""
    errors: dict[str, str] = {}
    if not afsluitreden:
        errors["afsluitreden"] = _("Kies de reden van afsluiten.")
    elif afsluitreden not in Afsluitreden.values:
        errors["afsluitreden"] = _("Onbekende reden van afsluiten.")
    if not grondslag:
        errors["grondslag"] = _("Kies de wettelijke grondslag waaronder hulp is gegeven.")
    elif grondslag not in Grondslag.values:
        errors["grondslag"] = _("Onbekende wettelijke grondslag.")
    if errors:
        raise ValidationError(errors)
    return str(afsluitreden), str(grondslag)


def _summary(casus: Casus) -> str:
    return f"{casus.get_afsluitreden_display()} · {casus.get_grondslag_display()}"


def close(*, casus: Casus, afsluitreden: str, grondslag: str, by: User) -> Casus:
    """Close the locked, open ``casus`` (called by ``casus_set_status``, in its transaction)."""
    from casussen.services.casus import _bump, timeline_entry

    now = timezone.now()
    casus = _bump(
        casus,
        status=Casus.Status.AFGESLOTEN,
        closed_at=now,
        closed_by=by,
        afsluitreden=afsluitreden,
        grondslag=grondslag,
    )
    CasusAfsluiting.objects.create(
        casus=casus,
        soort=CasusAfsluiting.Soort.AFGESLOTEN,
        afsluitreden=afsluitreden,
        grondslag=grondslag,
        door=by,
        op=now,
    )
    timeline_entry(casus=casus, soort=TimelineEntry.Soort.AFSLUITING, by=by, tekst=_summary(casus))
    audit_casus(by=by, actie=Actie.UPDATE, casus=casus, velden=AFSLUIT_VELDEN)
    events.emit("casus.gesloten", casus=casus, data={"afsluitreden": afsluitreden or None})
    return casus


@transaction.atomic
def casus_afsluiting_wijzigen(
    *, casus: Casus, afsluitreden: str, grondslag: str, by: User, version: int | None = None
) -> Casus:
    """Correct the reason or legal basis of a closed casus; the old values stay in the history."""
    from casussen.services.casus import _bump, timeline_entry

    afsluitreden, grondslag = clean_afsluiting(afsluitreden, grondslag)
    current = lock(casus)
    if version is not None and version != current.version:
        raise VersieConflict(_("De casus is intussen door iemand anders gewijzigd."))
    if current.is_open:
        raise CasusConflict(_("Deze casus is niet afgesloten."))
    if (current.afsluitreden, current.grondslag) == (afsluitreden, grondslag):
        raise ValidationError(_("Reden en grondslag zijn al zo vastgelegd."))
    current = _bump(current, afsluitreden=afsluitreden, grondslag=grondslag)
    CasusAfsluiting.objects.create(
        casus=current,
        soort=CasusAfsluiting.Soort.GEWIJZIGD,
        afsluitreden=afsluitreden,
        grondslag=grondslag,
        door=by,
    )
    timeline_entry(
        casus=current, soort=TimelineEntry.Soort.AFSLUITING, by=by, tekst=_summary(current)
    )
    audit_casus(by=by, actie=Actie.UPDATE, casus=current, velden=["afsluitreden", "grondslag"])
    events.emit(
        "casus.bijgewerkt",
        casus=current,
        data={"onderdeel": "afsluiting", "afsluitreden": afsluitreden},
    )
    return current


@transaction.atomic
def casus_heropenen(*, casus: Casus, by: User, version: int | None = None) -> Casus:
    """Reopen a closed casus within ``heropen_termijn()`` of closing (aanspreekpunt, teamleider)."""
    from casussen.services.casus import _bump, timeline_entry

    current = lock(casus)
    if version is not None and version != current.version:
        raise VersieConflict(_("De casus is intussen door iemand anders gewijzigd."))
    if current.is_open:
        raise CasusConflict(_("Deze casus is niet afgesloten."))
    if not may_manage(by, current):
        raise PermissionDenied
    if current.huishouden.is_vernietigd:
        raise CasusConflict(_("De gegevens van dit huishouden zijn vernietigd."))
    if current.closed_at is None or timezone.now() - current.closed_at > heropen_termijn():
        raise CasusConflict(
            _("Heropenen kan tot %(d)s dagen na afsluiten; open een nieuwe casus.")
            % {"d": heropen_termijn().days}
        )
    status = Casus.Status.IN_BEHANDELING if current.aanspreekpunt_id else Casus.Status.AANGEMELD
    try:
        with transaction.atomic():
            current = _bump(current, status=status, closed_at=None, closed_by=None, afsluitreden="")
    except IntegrityError:
        raise CasusConflict(_("Dit huishouden heeft al een open casus.")) from None
    CasusAfsluiting.objects.create(
        casus=current, soort=CasusAfsluiting.Soort.HEROPEND, grondslag=current.grondslag, door=by
    )
    timeline_entry(casus=current, soort=TimelineEntry.Soort.AFSLUITING, by=by, tekst=_("Heropend"))
    audit_casus(by=by, actie=Actie.UPDATE, casus=current, velden=AFSLUIT_VELDEN)
    events.emit("casus.bijgewerkt", casus=current, data={"onderdeel": "heropend"})
    return current


def may_reopen(casus: Casus, user: Any) -> bool:
    """For the page: show the reopen button."""
    return (
        not casus.is_open
        and casus.closed_at is not None
        and timezone.now() - casus.closed_at <= heropen_termijn()
        and not casus.huishouden.is_vernietigd
        and may_manage(user, casus)
    )
