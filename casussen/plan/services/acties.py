"""Actions (acties) of a goal: add, change, and update their status.

"Licht waar kan, zwaar waar nodig": a trede-3/4 action on a goal without any
(running) trede-1/2 action needs a stated reason, which is stored (sealed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from casussen.plan.constants import LICHTE_TREDEN, ActieStatus, EigenaarSoort, Trede
from casussen.plan.models import Actie, Doel, Plan
from casussen.plan.services._common import (
    CREATE,
    UPDATE,
    audit_write,
    check_versie,
    emit_plan_event,
    locked_plan,
    mark_changed,
)
from casussen.plan.services.validation import MAX_TEKST, clean_text, raise_if
from casussen.selectors import casus_viewer_ids
from toegang.datums import datum
from toegang.roles import Rol

_UNSET: Any = object()
REDEN_NODIG = "reden_nodig"


def needs_reason(*, doel: Doel, trede: int, exclude: Actie | None = None) -> bool:
    """True when a trede-3/4 action would be the goal's only kind: no light action runs."""
    if trede in LICHTE_TREDEN:
        return False
    light = doel.acties.filter(trede__in=LICHTE_TREDEN).exclude(status=ActieStatus.GESTOPT)
    if exclude is not None:
        light = light.exclude(pk=exclude.pk)
    return not light.exists()


def _check_fields(
    values: dict[str, Any], *, plan: Plan, casus: Any, errors: dict[str, list[str]]
) -> None:
    if "omschrijving" in values:
        values["omschrijving"] = clean_text(
            "omschrijving",
            values["omschrijving"],
            errors,
            required=True,
            message=_("Beschrijf wat er gaat gebeuren."),
        )
    if "eigenaar_soort" in values and values["eigenaar_soort"] not in EigenaarSoort.values:
        errors["eigenaar_soort"] = [
            _(
                "Kies wie de actie uitvoert: de inwoner, het netwerk, "
                "een partnerorganisatie of de gemeente."
            )
        ]
    if "deadline" in values:
        deadline = values["deadline"]
        if not isinstance(deadline, date):
            errors["deadline"] = [_("Vul de datum in waarop de actie klaar moet zijn.")]
        elif deadline < plan.startdatum:
            errors["deadline"] = [
                _("De datum ligt vóór de start van het plan (%(start)s).")
                % {"start": datum(plan.startdatum)}
            ]
    if "trede" in values and (
        isinstance(values["trede"], bool) or values["trede"] not in Trede.values
    ):
        errors["trede"] = [_("Kies een trede van 1 tot en met 4.")]
    eigenaar = values.get("eigenaar")
    if eigenaar is not None and eigenaar.pk not in casus_viewer_ids(casus_id=casus.pk):
        errors["eigenaar"] = [_("Deze medewerker heeft geen toegang tot deze casus.")]
    for name in ("eigenaar_omschrijving", "reden_zwaar"):
        if name in values:
            values[name] = clean_text(
                name,
                values[name],
                errors,
                required=False,
                max_length=200 if name == "eigenaar_omschrijving" else MAX_TEKST,
            )


def _reason_error() -> ValidationError:
    return ValidationError(
        {
            "reden_zwaar": [
                ValidationError(
                    _(
                        "Licht waar kan, zwaar waar nodig: dit doel heeft nog geen actie "
                        "op trede 1 of 2. Leg uit waarom zwaardere ondersteuning nodig is."
                    ),
                    code=REDEN_NODIG,
                )
            ]
        }
    )


def actie_add(
    *,
    doel: Doel,
    casus: Any,
    by: Any,
    omschrijving: str,
    eigenaar_soort: str,
    deadline: date | None,
    trede: int,
    eigenaar: Any = None,
    eigenaar_omschrijving: str = "",
    reden_zwaar: str = "",
    versie: int | None = None,
    request: HttpRequest | None = None,
) -> Actie:
    """Add an action to a goal; asks for ``reden_zwaar`` when it is the goal's first heavy step."""
    values: dict[str, Any] = {
        "omschrijving": omschrijving,
        "eigenaar_soort": eigenaar_soort,
        "deadline": deadline,
        "trede": trede,
        "eigenaar": eigenaar,
        "eigenaar_omschrijving": eigenaar_omschrijving,
        "reden_zwaar": reden_zwaar,
    }
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        plan = locked_plan(plan=doel.plan, casus=casus)
        doel = _doel_of(plan, doel)
        check_versie(plan, versie)
        _check_fields(values, plan=plan, casus=casus, errors=errors)
        raise_if(errors)
        if not values["reden_zwaar"] and needs_reason(doel=doel, trede=trede):
            raise _reason_error()
        actie = Actie(doel=doel, bijgewerkt_door=by, **values)
        actie.save(force_insert=True)
        mark_changed(plan, inhoud=True)
        audit_write(
            by=by,
            actie=CREATE,
            casus=casus,
            object_type="actie",
            object_id=actie.pk,
            velden=[k for k, v in values.items() if v not in (None, "")],
            request=request,
        )
        emit_plan_event(
            casus=casus, plan=plan, onderdeel="actie", object_id=actie.pk, trede=actie.trede
        )
    return actie


def _doel_of(plan: Plan, doel: Doel) -> Doel:
    try:
        return Doel.objects.get(pk=doel.pk, plan=plan)
    except Doel.DoesNotExist:
        raise Http404 from None


def _locked_actie(actie: Actie, casus: Any) -> tuple[Actie, Plan]:
    plan = locked_plan(plan=actie.doel.plan, casus=casus)
    try:
        return Actie.objects.get(pk=actie.pk, doel__plan=plan), plan
    except Actie.DoesNotExist:
        raise Http404 from None


def actie_update(
    *,
    actie: Actie,
    casus: Any,
    by: Any,
    omschrijving: Any = _UNSET,
    eigenaar_soort: Any = _UNSET,
    eigenaar: Any = _UNSET,
    eigenaar_omschrijving: Any = _UNSET,
    deadline: Any = _UNSET,
    trede: Any = _UNSET,
    reden_zwaar: Any = _UNSET,
    versie: int | None = None,
    request: HttpRequest | None = None,
) -> Actie:
    """Change the content of an action (what is given); a vastgesteld plan gets a new version."""
    given = {
        "omschrijving": omschrijving,
        "eigenaar_soort": eigenaar_soort,
        "eigenaar": eigenaar,
        "eigenaar_omschrijving": eigenaar_omschrijving,
        "deadline": deadline,
        "trede": trede,
        "reden_zwaar": reden_zwaar,
    }
    values = {k: v for k, v in given.items() if v is not _UNSET}
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        actie, plan = _locked_actie(actie, casus)
        check_versie(plan, versie)
        _check_fields(values, plan=plan, casus=casus, errors=errors)
        raise_if(errors)
        changed = [k for k, v in values.items() if getattr(actie, k) != v]
        new_trede = values.get("trede", actie.trede)
        reason = values.get("reden_zwaar", actie.reden_zwaar)
        if (
            "trede" in changed
            and not reason
            and needs_reason(doel=actie.doel, trede=new_trede, exclude=actie)
        ):
            raise _reason_error()
        if not changed:
            return actie
        for name in changed:
            setattr(actie, name, values[name])
        actie.bijgewerkt_door = by
        actie.save(update_fields=[*changed, "bijgewerkt_door", "updated_at"])
        mark_changed(plan, inhoud=True)
        audit_write(
            by=by,
            actie=UPDATE,
            casus=casus,
            object_type="actie",
            object_id=actie.pk,
            velden=changed,
            request=request,
        )
        emit_plan_event(
            casus=casus, plan=plan, onderdeel="actie", object_id=actie.pk, trede=actie.trede
        )
    return actie


def may_set_status(*, actie: Actie, casus: Any, user: Any) -> bool:
    """The aanspreekpunt may update any action; other writers only the actions they own.

    An action owned by a partner organisation (an afspraak of the overleg) may be
    updated by that organisation's melders (the caller checks they take part).
    """
    if casus.aanspreekpunt_id == user.pk or actie.eigenaar_id == user.pk:
        return True
    return bool(
        actie.eigenaar_organisatie_id is not None
        and user.rol == Rol.MELDER
        and actie.eigenaar_organisatie_id == user.organisatie_id
    )


def actie_status_set(
    *,
    actie: Actie,
    casus: Any,
    by: Any,
    status: str,
    request: HttpRequest | None = None,
) -> Actie:
    """Progress of an action (open, bezig, klaar, gestopt): carrying out, not a new version.

    The caller has change access to the casus; a betrokkene may only update the
    status of actions they own (``PermissionDenied`` otherwise).
    """
    if status not in ActieStatus.values:
        raise ValidationError({"status": [_("Kies open, bezig, klaar of gestopt.")]})
    with transaction.atomic():
        actie, plan = _locked_actie(actie, casus)
        if not may_set_status(actie=actie, casus=casus, user=by):
            raise PermissionDenied(
                _("U kunt alleen de status wijzigen van acties waarvan u de eigenaar bent.")
            )
        if actie.status == status:
            return actie
        actie.status, actie.bijgewerkt_door = status, by
        actie.save(update_fields=["status", "bijgewerkt_door", "updated_at"])
        mark_changed(plan, inhoud=False)
        audit_write(
            by=by,
            actie=UPDATE,
            casus=casus,
            object_type="actie",
            object_id=actie.pk,
            velden=["status"],
            request=request,
        )
        emit_plan_event(
            casus=casus, plan=plan, onderdeel="actie", object_id=actie.pk, trede=actie.trede
        )
    return actie
