"""Helpers shared by the casus services: audit records, validation of people and input."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from audit.models import Actie, Doel
from audit.services import record
from casussen.errors import CasusConflict
from casussen.models.casus import Casus
from toegang.models import User
from toegang.roles import Rol


def audit_casus(
    *,
    by: Any,
    actie: str,
    casus: Casus,
    velden: Iterable[str] = (),
    reden: str = "",
    doel: str = Doel.CASUSBEHANDELING,
    noodtoegang: bool = False,
    request: Any = None,
    trigger: Any = None,
) -> None:
    """The audit record of an action on ``casus``; ``by`` None is the system, set off
    by ``trigger`` (a user) if anyone."""
    record(
        actor=by,
        actie=actie,
        doel=doel,
        object_type="casus",
        object_id=casus.pk,
        huishouden_id=casus.huishouden_id,
        velden=velden,
        reden=reden,
        noodtoegang=noodtoegang,
        request=request,
        trigger=trigger,
    )


def require_consulent(user: User | None, *, field: str) -> User:
    """``user`` must be an active consulent (aanspreekpunt, handover target)."""
    if user is None or not user.is_active or user.rol != Rol.CONSULENT:
        raise ValidationError({field: _("Kies een actieve consulent.")})
    return user


def require_open(casus: Casus) -> None:
    if not casus.is_open:
        raise CasusConflict(_("Deze casus is afgesloten; dat kan niet meer."))


def require_text(value: str, *, field: str, message: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > max_length:
        raise ValidationError({field: _("Maximaal %(n)s tekens.") % {"n": max_length}})
    return text


def lock(casus: Casus) -> Casus:
    """The current row of ``casus``, locked until the end of the transaction."""
    return Casus.objects.select_for_update().get(pk=casus.pk)


def may_manage(by: User, casus: Casus) -> bool:
    """Assignment and handover: the aanspreekpunt, or a teamleider of the casus's team."""
    if not by.is_active:
        return False
    if by.rol == Rol.TEAMLEIDER and by.team_id == casus.team_id:
        return True
    return casus.aanspreekpunt_id is not None and casus.aanspreekpunt_id == by.pk


__all__ = ["Actie", "audit_casus", "lock", "may_manage", "require_consulent", "require_open"]
