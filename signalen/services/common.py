"""Helpers shared by the signal services: events, locking, moving a signal between households."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from signalen.models import Signaal
from toegang.crypto.sealing import VERNIETIGD
from toegang.roles import Rol

AGGREGATE = "signaal"
SEALED_FIELDS = ("omschrijving", "contactroute", "onderwerp", "inwoner", "terugkoppeling")


def emit(event_type: str, *, signaal: Signaal, new: bool = False, **data: Any) -> None:
    """Queue ``event_type`` about ``signaal`` (ids only) in the current transaction;
    ``new``: the signal was inserted in this transaction."""
    from toegang import events

    events.emit(
        event_type,
        aggregate_type=AGGREGATE,
        aggregate_id=signaal.pk,
        version=signaal.version,
        data=data,
        created_in_this_transaction=new,
    )


def lock(signaal_id: uuid.UUID | str) -> Signaal:
    """The signal, locked for this transaction (row lock on PostgreSQL)."""
    return Signaal.objects.select_for_update(of=("self",)).get(pk=signaal_id)


def require_team_member(*, user: Any, signaal: Signaal) -> None:
    """Only consulenten and teamleiders of the signal's team work its intake."""
    if not (user.has_rol(Rol.CONSULENT, Rol.TEAMLEIDER) and user.team_id == signaal.team_id):
        raise PermissionDenied


def move_to_huishouden(signaal: Signaal, huishouden: Any) -> None:
    """Point ``signaal`` at ``huishouden`` and re-seal its text with that household's key.

    Reads every sealed value with the old key first, then writes them back as
    plain values, so saving seals them again under the new key. The caller saves.
    """
    values = {name: getattr(signaal, name) for name in SEALED_FIELDS}
    if any(value is VERNIETIGD for value in values.values()):
        raise ValidationError(_("De gegevens van dit signaal zijn vernietigd."))
    signaal.huishouden = huishouden
    for name, value in values.items():
        setattr(signaal, name, value)


def bump(signaal: Signaal, *fields: str) -> None:
    """Save ``fields`` and a new version of the signal (its events carry the version)."""
    signaal.version += 1
    signaal.save(update_fields=[*fields, "version"])
