"""Shared steps of the plan services: version checks, change bookkeeping, audit and event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from audit.models import Actie as AuditActie
from audit.models import Doel as Doeleinde
from audit.services import record
from casussen.plan.constants import PlanStatus
from casussen.plan.errors import PlanError, VersieVastgesteldError
from casussen.plan.models import Plan
from toegang import events


def require_open(casus: Any) -> None:
    if not casus.is_open:
        raise PlanError(_("Deze casus is afgesloten; het plan kan niet meer worden gewijzigd."))


def locked_plan(*, plan: Plan, casus: Any) -> Plan:
    """The plan row locked for this transaction; refuses a plan of another huishouden."""
    if plan.huishouden_id != casus.huishouden_id:
        raise Http404  # a write pointing at a foreign parent
    require_open(casus)
    return Plan.objects.select_for_update().get(pk=plan.pk)


def check_versie(plan: Plan, versie: int | None) -> None:
    """``versie`` is the version the user edited; only the current one may change."""
    if versie is not None and versie != plan.versie:
        raise VersieVastgesteldError(versie=versie, huidig=plan.versie)


def mark_changed(plan: Plan, *, inhoud: bool) -> None:
    """Count a change; a content change of a vastgesteld plan opens a new draft version."""
    fields = ["revisie", "updated_at"]
    plan.revisie += 1
    if inhoud and plan.status == PlanStatus.VASTGESTELD:
        plan.versie += 1
        plan.status = PlanStatus.CONCEPT
        fields += ["versie", "status"]
    plan.save(update_fields=fields)


def audit_write(
    *,
    by: Any,
    actie: str,
    casus: Any,
    object_type: str,
    object_id: Any,
    velden: Iterable[str] = (),
    persoon_ids: Iterable[Any] = (),
    reden: str = "",
    request: HttpRequest | None = None,
) -> None:
    record(
        actor=by,
        actie=actie,
        doel=Doeleinde.CASUSBEHANDELING,
        object_type=object_type,
        object_id=object_id,
        huishouden_id=casus.huishouden_id,
        persoon_ids=persoon_ids,
        velden=velden,
        reden=reden,
        request=request,
    )


def emit_plan_event(
    *, casus: Any, plan: Plan | None, onderdeel: str, object_id: Any, **monitor: Any
) -> None:
    """``plan.bijgewerkt`` on the casus (ids and codes only); a meting before the plan has
    no plan id. ``monitor``: the non-personal figures of an actie (trede) or meting (scores)."""
    events.emit(
        "plan.bijgewerkt",
        aggregate_type="casus",
        aggregate_id=casus.pk,
        version=plan.revisie if plan is not None else 0,
        data={
            "plan_id": plan.pk if plan is not None else None,
            "onderdeel": onderdeel,
            "object_id": object_id,
            **monitor,
        },
    )


CREATE, UPDATE = AuditActie.CREATE, AuditActie.UPDATE
