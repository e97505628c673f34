"""Betrokkenen (time-bound access of other professionals), noodtoegang and their expiry."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie, Doel
from casussen import events
from casussen.errors import CasusConflict
from casussen.models.casus import Betrokkene, Casus, Noodtoegang, TimelineEntry
from casussen.services._common import audit_casus, lock, require_open, require_text
from casussen.services.access import VIEW, access_sync, has_access
from casussen.services.casus import timeline_entry
from toegang.logging import get_logger
from toegang.models import User
from toegang.roles import Rol

log = get_logger(__name__)

MAX_BETROKKENE_DAGEN = 365


def noodtoegang_duur() -> timedelta:
    return timedelta(hours=getattr(settings, "NOODTOEGANG_UREN", 4))


def _check_eind_datum(eind_datum: date | None) -> date:
    vandaag = timezone.localdate()
    if eind_datum is None:
        raise ValidationError({"eind_datum": _("Vul een einddatum in.")})
    if eind_datum < vandaag:
        raise ValidationError({"eind_datum": _("De einddatum ligt in het verleden.")})
    if eind_datum > vandaag + timedelta(days=MAX_BETROKKENE_DAGEN):
        raise ValidationError(
            {"eind_datum": _("De einddatum mag hooguit een jaar vooruit liggen.")}
        )
    return eind_datum


@transaction.atomic
def betrokkene_add(
    *,
    casus: Casus,
    user: User,
    reden: str,
    eind_datum: date | None,
    by: User,
    schrijfrecht: bool = False,
) -> Betrokkene:
    """Give ``user`` view (and with ``schrijfrecht`` change) access until ``eind_datum``."""
    reden = require_text(reden, field="reden", message=_("Geef een reden op."), max_length=300)
    eind_datum = _check_eind_datum(eind_datum)
    if not user.is_active or user.rol != Rol.CONSULENT:
        raise ValidationError({"user": _("Alleen een actieve professional kan betrokkene zijn.")})
    casus = lock(casus)
    require_open(casus)
    if by.pk != casus.aanspreekpunt_id and not (
        by.rol == Rol.TEAMLEIDER and by.team_id == casus.team_id
    ):
        raise PermissionDenied
    return betrokkene_grant(
        casus=casus, user=user, reden=reden, eind_datum=eind_datum, schrijfrecht=schrijfrecht, by=by
    )


def betrokkene_grant(
    *, casus: Casus, user: User, reden: str, eind_datum: date, schrijfrecht: bool, by: Any
) -> Betrokkene:
    """The grant itself, in the caller's transaction on a locked casus (also for overdracht)."""
    if user.pk == casus.aanspreekpunt_id:
        raise ValidationError({"user": _("Het aanspreekpunt heeft al toegang.")})
    if Betrokkene.objects.filter(casus=casus, user=user, revoked_at__isnull=True).exists():
        raise CasusConflict(_("Deze professional is al betrokken bij de casus."))
    betrokkene = Betrokkene(
        casus=casus,
        user=user,
        reden=reden,
        eind_datum=eind_datum,
        schrijfrecht=schrijfrecht,
        created_by=by,
    )
    betrokkene.save(force_insert=True)
    timeline_entry(casus=casus, soort=TimelineEntry.Soort.BETROKKENE, by=by)
    access_sync(casus=casus, user_ids=[user.pk])
    audit_casus(by=by, actie=Actie.UPDATE, casus=casus, velden=["betrokkenen"], reden=reden)
    events.emit(
        "betrokkene.toegevoegd",
        casus=casus,
        data={"betrokkene_id": betrokkene.pk, "user_id": user.pk},
    )
    return betrokkene


def _end_betrokkene(betrokkene: Betrokkene, *, einde: str, by: Any, trigger: Any = None) -> None:
    betrokkene.revoked_at = timezone.now()
    betrokkene.einde = einde
    betrokkene.save(update_fields=["revoked_at", "einde"])
    casus = betrokkene.casus
    timeline_entry(casus=casus, soort=TimelineEntry.Soort.BETROKKENE_EINDE, by=by)
    access_sync(casus=casus, user_ids=[betrokkene.user_id])
    audit_casus(by=by, actie=Actie.UPDATE, casus=casus, velden=["betrokkenen"], trigger=trigger)
    event = (
        "betrokkene.verlopen" if einde == Betrokkene.Einde.VERLOPEN else "betrokkene.ingetrokken"
    )
    events.emit(
        event, casus=casus, data={"betrokkene_id": betrokkene.pk, "user_id": betrokkene.user_id}
    )


@transaction.atomic
def betrokkene_revoke(*, betrokkene: Betrokkene, by: User) -> Betrokkene:
    """End a betrokkene's access now (the aanspreekpunt or the teamleider of the team)."""
    casus = lock(betrokkene.casus)
    betrokkene = Betrokkene.objects.select_for_update(of=("self",)).get(pk=betrokkene.pk)
    if by.pk != casus.aanspreekpunt_id and not (
        by.rol == Rol.TEAMLEIDER and by.team_id == casus.team_id
    ):
        raise PermissionDenied
    if betrokkene.revoked_at is not None:
        raise CasusConflict(_("De toegang van deze betrokkene is al beëindigd."))
    betrokkene.casus = casus
    _end_betrokkene(betrokkene, einde=Betrokkene.Einde.INGETROKKEN, by=by)
    return betrokkene


@transaction.atomic
def noodtoegang_start(*, casus_id: Any, reden: str, by: User, request: Any = None) -> Noodtoegang:
    """Break the glass: view access for a few hours, audited and reviewed as noodtoegang."""
    reden = require_text(
        reden, field="reden", message=_("Noodtoegang kan alleen met een reden."), max_length=1000
    )
    if not by.is_active or by.rol != Rol.CONSULENT:
        raise PermissionDenied
    casus = Casus.objects.select_for_update().get(pk=casus_id)
    if has_access(user_id=by.pk, casus_id=casus.pk, codename=VIEW):
        raise CasusConflict(_("U heeft al toegang tot deze casus."))
    now = timezone.now()
    grant = Noodtoegang(
        casus=casus, user=by, reden=reden, started_at=now, expires_at=now + noodtoegang_duur()
    )
    grant.save(force_insert=True)
    timeline_entry(casus=casus, soort=TimelineEntry.Soort.NOODTOEGANG, by=by)
    access_sync(casus=casus, user_ids=[by.pk])
    audit_casus(
        by=by,
        actie=Actie.NOODTOEGANG,
        casus=casus,
        doel=Doel.NOODTOEGANG,
        reden=reden,
        noodtoegang=True,
        request=request,
    )
    events.emit(
        "noodtoegang.gestart", casus=casus, data={"noodtoegang_id": grant.pk, "user_id": by.pk}
    )
    return grant


def access_expire(*, now: Any = None) -> int:
    """Worker job: end betrokkenen past their end date and noodtoegang past its hours.

    One transaction per grant, so one failure does not hold up the rest.
    Returns how many grants ended.
    """
    now = now or timezone.now()
    done = 0
    expired_betrokkenen = Betrokkene.objects.filter(
        revoked_at__isnull=True, eind_datum__lt=timezone.localdate(now)
    ).values_list("pk", flat=True)[:500]
    for pk in list(expired_betrokkenen):
        with transaction.atomic():
            betrokkene = Betrokkene.objects.select_for_update(of=("self",)).get(pk=pk)
            if betrokkene.revoked_at is not None:
                continue
            betrokkene.casus = lock(betrokkene.casus)
            # The system ends it; whoever granted it with this end date set it off.
            _end_betrokkene(
                betrokkene,
                einde=Betrokkene.Einde.VERLOPEN,
                by=None,
                trigger=betrokkene.created_by,
            )
            done += 1
    expired_nood = Noodtoegang.objects.filter(
        ended_at__isnull=True, expires_at__lte=now
    ).values_list("pk", flat=True)[:500]
    for pk in list(expired_nood):
        with transaction.atomic():
            grant = Noodtoegang.objects.select_for_update(of=("self",)).get(pk=pk)
            if grant.ended_at is not None:
                continue
            grant.ended_at = now
            grant.save(update_fields=["ended_at"])
            casus = lock(grant.casus)
            access_sync(casus=casus, user_ids=[grant.user_id])
            audit_casus(
                by=None,
                actie=Actie.UPDATE,
                casus=casus,
                velden=["noodtoegang"],
                noodtoegang=True,
                trigger=grant.user,
            )
            done += 1
    if done:
        log.info("casus_access_expired", count=done)
    return done
