"""Goals (doelen) of the plan: add, change, and judge at an evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from casussen.plan.constants import DoelUitkomst
from casussen.plan.models import Doel, Plan
from casussen.plan.services._common import (
    CREATE,
    UPDATE,
    audit_write,
    check_versie,
    emit_plan_event,
    locked_plan,
    mark_changed,
)
from casussen.plan.services.validation import (
    clean_codes,
    clean_date,
    clean_dimensies,
    clean_leefgebieden,
    clean_text,
    raise_if,
)

_UNSET: Any = object()


def _gezinsleden(casus: Any, ids: Iterable[Any], errors: dict[str, list[str]]) -> list[Any]:
    """The gezinsleden with ``ids``; every one must belong to the casus's huishouden."""
    wanted = {str(i) for i in ids}
    if not wanted:
        return []
    gezinslid_model = apps.get_model("casussen", "Gezinslid")
    found = list(gezinslid_model.objects.filter(huishouden_id=casus.huishouden_id, pk__in=wanted))
    if len(found) != len(wanted):
        errors.setdefault("gezinsleden", []).append(_("Kies gezinsleden van dit huishouden."))
    return found


def _has_gezinsleden(casus: Any) -> bool:
    gezinslid_model = apps.get_model("casussen", "Gezinslid")
    return bool(gezinslid_model.objects.filter(huishouden_id=casus.huishouden_id).exists())


def _doel_errors_and_values(
    casus: Any, *, tekst: Any, dimensies: Any, leefgebieden: Any, gezinsleden: Any
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if tekst is not _UNSET:
        values["tekst"] = clean_text(
            "tekst",
            tekst,
            errors,
            required=True,
            message=_("Schrijf het doel op in de woorden van de inwoner."),
        )
    if dimensies is not _UNSET:
        values["dimensies"] = clean_dimensies(dimensies or (), errors)
    if leefgebieden is not _UNSET:
        values["leefgebieden"] = clean_leefgebieden(leefgebieden or (), errors)
    if gezinsleden is not _UNSET:
        values["gezinsleden"] = _gezinsleden(casus, gezinsleden or (), errors)
    return errors, values


def doel_add(
    *,
    plan: Plan,
    casus: Any,
    by: Any,
    tekst: str,
    dimensies: Iterable[str] = (),
    leefgebieden: Iterable[str] = (),
    gezinsleden: Iterable[Any] = (),
    versie: int | None = None,
    request: HttpRequest | None = None,
) -> Doel:
    """Add a goal in the resident's words; on a vastgesteld plan this opens a new version."""
    errors, values = _doel_errors_and_values(
        casus,
        tekst=tekst,
        dimensies=list(dimensies),
        leefgebieden=list(leefgebieden),
        gezinsleden=list(gezinsleden),
    )
    if not values["gezinsleden"] and "gezinsleden" not in errors and _has_gezinsleden(casus):
        errors["gezinsleden"] = [_("Voor wie is dit doel? Kies minstens één gezinslid.")]
    if not values["dimensies"] and not values["leefgebieden"] and "dimensies" not in errors:
        errors.setdefault("dimensies", []).append(
            _("Koppel het doel aan minstens één dimensie of leefgebied.")
        )
    raise_if(errors)
    with transaction.atomic():
        plan = locked_plan(plan=plan, casus=casus)
        check_versie(plan, versie)
        volgorde = (plan.doelen.aggregate(m=Max("volgorde"))["m"] or 0) + 1
        doel = Doel(
            plan=plan,
            tekst=values["tekst"],
            dimensies=values["dimensies"],
            leefgebieden=values["leefgebieden"],
            volgorde=volgorde,
        )
        doel.save(force_insert=True)
        doel.gezinsleden.set(values["gezinsleden"])
        mark_changed(plan, inhoud=True)
        audit_write(
            by=by,
            actie=CREATE,
            casus=casus,
            object_type="doel",
            object_id=doel.pk,
            velden=["tekst", "dimensies", "leefgebieden", "gezinsleden"],
            persoon_ids=[g.pk for g in values["gezinsleden"]],
            request=request,
        )
        emit_plan_event(casus=casus, plan=plan, onderdeel="doel", object_id=doel.pk)
    return doel


def _locked_doel(doel: Doel, casus: Any) -> tuple[Doel, Plan]:
    plan = locked_plan(plan=doel.plan, casus=casus)
    try:
        return Doel.objects.get(pk=doel.pk, plan=plan), plan
    except Doel.DoesNotExist:
        raise Http404 from None


def doel_update(
    *,
    doel: Doel,
    casus: Any,
    by: Any,
    tekst: Any = _UNSET,
    dimensies: Any = _UNSET,
    leefgebieden: Any = _UNSET,
    gezinsleden: Any = _UNSET,
    versie: int | None = None,
    request: HttpRequest | None = None,
) -> Doel:
    """Change what is given (text, dimensions, leefgebieden, gezinsleden) of a goal."""
    errors, values = _doel_errors_and_values(
        casus,
        tekst=tekst,
        dimensies=dimensies,
        leefgebieden=leefgebieden,
        gezinsleden=gezinsleden,
    )
    raise_if(errors)
    with transaction.atomic():
        doel, plan = _locked_doel(doel, casus)
        check_versie(plan, versie)
        changed = _apply_doel_changes(doel, values)
        if not changed:
            return doel
        mark_changed(plan, inhoud=True)
        audit_write(
            by=by,
            actie=UPDATE,
            casus=casus,
            object_type="doel",
            object_id=doel.pk,
            velden=changed,
            request=request,
            persoon_ids=[g.pk for g in values.get("gezinsleden", [])],
        )
        emit_plan_event(casus=casus, plan=plan, onderdeel="doel", object_id=doel.pk)
    return doel


def _apply_doel_changes(doel: Doel, values: dict[str, Any]) -> list[str]:
    changed: list[str] = []
    for name in ("tekst", "dimensies", "leefgebieden"):
        if name in values and getattr(doel, name) != values[name]:
            setattr(doel, name, values[name])
            changed.append(name)
    if changed:
        doel.save(update_fields=[*changed, "updated_at"])
    if "gezinsleden" in values:
        before = set(doel.gezinsleden.values_list("pk", flat=True))
        if before != {g.pk for g in values["gezinsleden"]}:
            doel.gezinsleden.set(values["gezinsleden"])
            changed.append("gezinsleden")
    return changed


def doel_beoordelen(
    *,
    doel: Doel,
    casus: Any,
    by: Any,
    uitkomst: str,
    datum: date,
    request: HttpRequest | None = None,
) -> Doel:
    """Judge a goal at an evaluation: bereikt, deels bereikt or niet bereikt.

    Judging is carrying out the plan, not changing it: it opens no new version.
    """
    errors: dict[str, list[str]] = {}
    clean_codes("uitkomst", [uitkomst], DoelUitkomst.values, errors)
    clean_date("datum", datum, errors)
    raise_if(errors)
    with transaction.atomic():
        doel, plan = _locked_doel(doel, casus)
        doel.uitkomst, doel.beoordeeld_op = uitkomst, datum
        doel.save(update_fields=["uitkomst", "beoordeeld_op", "updated_at"])
        mark_changed(plan, inhoud=False)
        audit_write(
            by=by,
            actie=UPDATE,
            casus=casus,
            object_type="doel",
            object_id=doel.pk,
            velden=["uitkomst", "beoordeeld_op"],
            request=request,
        )
        emit_plan_event(casus=casus, plan=plan, onderdeel="doel", object_id=doel.pk)
    return doel
