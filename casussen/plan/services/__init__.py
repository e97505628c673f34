"""Writes of the plan: keyword-only, one transaction each, audited, emitting ``plan.bijgewerkt``."""

from __future__ import annotations

from casussen.plan.services.acties import actie_add, actie_status_set, actie_update, needs_reason
from casussen.plan.services.doelen import doel_add, doel_beoordelen, doel_update
from casussen.plan.services.metingen import evaluatie_record, meting_record
from casussen.plan.services.plan import plan_create
from casussen.plan.services.versies import plan_snapshot, plan_vaststellen

__all__ = [
    "actie_add",
    "actie_status_set",
    "actie_update",
    "doel_add",
    "doel_beoordelen",
    "doel_update",
    "evaluatie_record",
    "meting_record",
    "needs_reason",
    "plan_create",
    "plan_snapshot",
    "plan_vaststellen",
]
