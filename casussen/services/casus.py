"""The casus lifecycle: open, assign the aanspreekpunt, hand over, status, touch, timeline.

Each function is one transaction that validates, changes state, syncs the
guardian rows (``access_sync``), writes the audit record and queues the event.
Bad input raises ``ValidationError``; a state that forbids it ``CasusConflict``;
a stale version ``VersieConflict``. Nothing is changed in either case.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie
from casussen import events
from casussen import leefgebieden as lg
from casussen.errors import CasusConflict, VersieConflict
from casussen.models.casus import Casus, TimelineEntry
from casussen.services._common import (
    audit_casus,
    lock,
    may_manage,
    require_consulent,
    require_open,
)
from casussen.services.access import access_sync
from toegang.models import Team, User
from toegang.roles import Rol

OVERDRACHT_BETROKKENE_DAGEN = 90


def _clean_leefgebieden(codes: Iterable[str]) -> list[str]:
    try:
        return lg.clean(codes)
    except ValueError:
        raise ValidationError({"leefgebieden": _("Onbekend leefgebied.")}) from None


def timeline_entry(*, casus: Casus, soort: str, by: Any, tekst: str = "") -> TimelineEntry:
    """Append a timeline line in the caller's transaction (no audit, no event)."""
    entry = TimelineEntry(casus=casus, soort=soort, actor=by, tekst=tekst or None)
    entry.casus = casus
    entry.save(force_insert=True)
    return entry


def _bump(casus: Casus, **changes: Any) -> Casus:
    """Save ``changes`` with ``version + 1`` and the new activity time; return the fresh row."""
    now = timezone.now()
    Casus.objects.filter(pk=casus.pk).update(
        version=F("version") + 1, last_activity_at=now, **changes
    )
    casus.refresh_from_db()
    return casus


@transaction.atomic
def casus_open(
    *,
    huishouden: Any,
    aanspreekpunt: User | None,
    team: Team,
    by: User,
    urgent: bool = False,
    leefgebieden: Iterable[str] = (),
) -> Casus:
    """Open the casus of ``huishouden``; with an aanspreekpunt it gets view + change at once."""
    if aanspreekpunt is not None:
        require_consulent(aanspreekpunt, field="aanspreekpunt")
    if getattr(huishouden, "shredded_at", None) is not None:
        raise CasusConflict(_("De gegevens van dit huishouden zijn vernietigd."))
    if Casus.objects.filter(huishouden=huishouden).exclude(status=Casus.Status.AFGESLOTEN).exists():
        raise CasusConflict(_("Dit huishouden heeft al een open casus."))
    casus = Casus(
        huishouden=huishouden,
        team=team,
        aanspreekpunt=aanspreekpunt,
        urgent=urgent,
        leefgebieden=_clean_leefgebieden(leefgebieden),
    )
    try:
        with transaction.atomic():
            casus.save(force_insert=True)
    except IntegrityError:
        raise CasusConflict(_("Dit huishouden heeft al een open casus.")) from None
    timeline_entry(casus=casus, soort=TimelineEntry.Soort.GEOPEND, by=by)
    access_sync(casus=casus, user_ids=[aanspreekpunt.pk] if aanspreekpunt else [])
    audit_casus(by=by, actie=Actie.CREATE, casus=casus, velden=["status", "aanspreekpunt"])
    events.emit(
        "casus.geopend",
        casus=casus,
        data={
            "huishouden_id": casus.huishouden_id,
            "aanspreekpunt_id": aanspreekpunt.pk if aanspreekpunt else None,
            "team_id": team.pk,
            "buurt": getattr(huishouden, "buurt_code", "") or None,
        },
    )
    return casus


@transaction.atomic
def casus_assign_aanspreekpunt(*, casus: Casus, consulent: User, by: User) -> Casus:
    """Give a casus without aanspreekpunt its one aanspreekpunt (teamleider, or taking it)."""
    require_consulent(consulent, field="aanspreekpunt")
    casus = lock(casus)
    require_open(casus)
    if casus.aanspreekpunt_id is not None:
        raise CasusConflict(
            _("Deze casus heeft al een aanspreekpunt. Gebruik overdracht om het te wijzigen.")
        )
    takes_it = by.pk == consulent.pk and by.team_id == casus.team_id
    if not (takes_it or may_manage(by, casus)):
        raise PermissionDenied
    casus = _bump(casus, aanspreekpunt=consulent)
    timeline_entry(casus=casus, soort=TimelineEntry.Soort.AANSPREEKPUNT, by=by)
    access_sync(casus=casus, user_ids=[consulent.pk])
    audit_casus(by=by, actie=Actie.UPDATE, casus=casus, velden=["aanspreekpunt"])
    events.emit(
        "casus.aanspreekpunt_gewijzigd",
        casus=casus,
        data={"van_id": None, "naar_id": consulent.pk},
    )
    return casus


@transaction.atomic
def casus_overdragen(
    *,
    casus: Casus,
    naar: User,
    notitie: str,
    by: User,
    blijft_betrokkene: bool = False,
    betrokkene_tot: date | None = None,
    version: int | None = None,
) -> Casus:
    """Handover: ``naar`` becomes the aanspreekpunt; the old one loses access unless kept."""
    from casussen.services.betrokkenen import betrokkene_grant

    require_consulent(naar, field="naar")
    casus = lock(casus)
    require_open(casus)
    if version is not None and version != casus.version:
        raise VersieConflict(_("De casus is intussen door iemand anders gewijzigd."))
    if not may_manage(by, casus):
        raise PermissionDenied
    if casus.aanspreekpunt_id is None:
        raise CasusConflict(_("Deze casus heeft nog geen aanspreekpunt; wijs er eerst een toe."))
    if casus.aanspreekpunt_id == naar.pk:
        raise ValidationError({"naar": _("Deze consulent is al het aanspreekpunt.")})
    if len((notitie or "").strip()) > 2000:
        raise ValidationError({"notitie": _("Maximaal %(n)s tekens.") % {"n": 2000}})
    van = casus.aanspreekpunt
    assert van is not None
    casus = _bump(casus, aanspreekpunt=naar)
    timeline_entry(casus=casus, soort=TimelineEntry.Soort.OVERDRACHT, by=by, tekst=notitie.strip())
    if blijft_betrokkene:
        betrokkene_grant(
            casus=casus,
            user=van,
            reden=_("Vorig aanspreekpunt (overdracht)"),
            eind_datum=betrokkene_tot
            or timezone.localdate() + timedelta(days=OVERDRACHT_BETROKKENE_DAGEN),
            schrijfrecht=False,
            by=by,
        )
    access_sync(casus=casus, user_ids=[van.pk, naar.pk])
    audit_casus(by=by, actie=Actie.UPDATE, casus=casus, velden=["aanspreekpunt"])
    events.emit(
        "casus.aanspreekpunt_gewijzigd", casus=casus, data={"van_id": van.pk, "naar_id": naar.pk}
    )
    return casus


@transaction.atomic
def casus_set_status(
    *,
    casus: Casus,
    status: str,
    version: int,
    by: User,
    afsluitreden: str | None = None,
    grondslag: str | None = None,
) -> Casus:
    """Change the status if nobody changed the casus since ``version`` was read.

    Closing (``afgesloten``) needs the reason and the legal basis (``afsluiting.close``).
    """
    from casussen.services.afsluiting import clean_afsluiting, close

    if status not in Casus.Status.values:
        raise ValidationError({"status": _("Onbekende status.")})
    if status == Casus.Status.AFGESLOTEN:
        afsluitreden, grondslag = clean_afsluiting(afsluitreden, grondslag)
    current = lock(casus)
    if current.version != version:
        raise VersieConflict(
            _(
                "Iemand anders heeft deze casus intussen gewijzigd. Uw wijziging is niet "
                "opgeslagen; bekijk de nieuwe stand en probeer het opnieuw."
            )
        )
    require_open(current)
    if status == Casus.Status.AANGEMELD and current.status != Casus.Status.AANGEMELD:
        raise ValidationError(
            {"status": _("Een casus in behandeling kan niet terug naar aangemeld.")}
        )
    if status == Casus.Status.AFGESLOTEN:
        assert afsluitreden is not None and grondslag is not None
        return close(casus=current, afsluitreden=afsluitreden, grondslag=grondslag, by=by)
    if status == current.status:
        return current
    current = _bump(current, status=status)
    timeline_entry(
        casus=current, soort=TimelineEntry.Soort.STATUS, by=by, tekst=current.get_status_display()
    )
    audit_casus(by=by, actie=Actie.UPDATE, casus=current, velden=["status"])
    events.emit("casus.bijgewerkt", casus=current, data={"onderdeel": "status"})
    return current


#: What ``casus_touch`` changes.
CASUS_TOUCH_VELDEN = ["leefgebieden", "urgent", "last_activity_at"]


@transaction.atomic(savepoint=False)
def casus_touch(
    *,
    casus: Casus,
    by: Any,
    leefgebieden: Iterable[str] = (),
    urgent: bool = False,
    audited_by_caller: bool = False,
) -> Casus:
    """A signal joined the casus: activity now, leefgebieden united, urgency raised.

    With ``audited_by_caller`` the caller's audit record names the casus and these
    fields (the signal intake writes one record per signal), so none is written here.
    """
    current = lock(casus)
    current.leefgebieden = _clean_leefgebieden([*current.leefgebieden, *leefgebieden])
    current.urgent = current.urgent or urgent
    current.version += 1  # the row is locked: nobody else moves the version meanwhile
    current.last_activity_at = timezone.now()
    current.save(update_fields=[*CASUS_TOUCH_VELDEN, "version"])
    if not audited_by_caller:
        audit_casus(by=by, actie=Actie.UPDATE, casus=current, velden=CASUS_TOUCH_VELDEN)
    events.emit("casus.bijgewerkt", casus=current, data={"onderdeel": "signaal"})
    return current


@transaction.atomic
def timeline_add(*, casus: Casus, soort: str, by: Any, tekst: str = "") -> TimelineEntry:
    """Add a line (text sealed with the household's key) to the timeline of ``casus``."""
    if soort not in TimelineEntry.Soort.values:
        raise ValidationError({"soort": _("Onbekende soort.")})
    if len(tekst or "") > 5000:
        raise ValidationError({"tekst": _("Maximaal %(n)s tekens.") % {"n": 5000}})
    current = _bump(lock(casus))
    entry = timeline_entry(casus=current, soort=soort, by=by, tekst=tekst)
    audit_casus(by=by, actie=Actie.CREATE, casus=current, velden=["tijdlijn"])
    events.emit(
        "casus.bijgewerkt", casus=current, data={"onderdeel": "tijdlijn", "object_id": entry.pk}
    )
    return entry


def is_consulent(user: User) -> bool:
    return user.is_active and user.rol == Rol.CONSULENT
