"""Starting the one plan of a huishouden."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from casussen.plan.errors import PlanBestaatAlError
from casussen.plan.models import Plan
from casussen.plan.services._common import CREATE, audit_write, emit_plan_event, require_open
from casussen.plan.services.validation import clean_date, raise_if
from toegang.logging import get_logger

log = get_logger(__name__)


def plan_create(
    *, casus: Any, startdatum: date, by: Any, request: HttpRequest | None = None
) -> Plan:
    """Start the plan of the casus's huishouden; there is one plan per huishouden."""
    errors: dict[str, list[str]] = {}
    clean_date("startdatum", startdatum, errors)
    raise_if(errors)
    require_open(casus)
    if Plan.objects.filter(huishouden_id=casus.huishouden_id).exists():
        raise PlanBestaatAlError
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                huishouden_id=casus.huishouden_id,
                startdatum=startdatum,
                aangemaakt_door=by,
                revisie=1,
            )
            audit_write(
                by=by,
                actie=CREATE,
                casus=casus,
                object_type="plan",
                object_id=plan.pk,
                velden=["startdatum"],
                request=request,
            )
            emit_plan_event(casus=casus, plan=plan, onderdeel="plan", object_id=plan.pk)
    except IntegrityError:  # a concurrent request created it first
        raise PlanBestaatAlError from None
    log.info("plan_created", plan_id=str(plan.pk), casus_id=str(casus.pk))
    return plan
