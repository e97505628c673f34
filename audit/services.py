"""The recording API every app calls: ``record(...)``.

Call it inside the service's ``transaction.atomic`` block so the record commits
(or rolls back) with the change it describes. Reads are recorded in the request.

An append is one INSERT and nothing else (sealing happens later, in the worker:
``audit.sealing``). On PostgreSQL it is a prepared statement (``audit.append``),
since parsing and planning a 24-column INSERT cost more than executing it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from audit import append, context
from audit.models import Actie, AuditRecord, Doel, Uitkomst

#: The username of records the system makes (jobs, matching, expiry).
SYSTEM = "systeem"

# ``TextChoices.values`` builds a new list on every access (tens of µs each).
_ACTIES = frozenset(Actie.values)
_DOELEN = frozenset(Doel.values)


def record(
    *,
    actor: Any,
    actie: str,
    doel: str,
    object_type: str = "",
    object_id: Any = "",
    object_ids: Iterable[Any] = (),
    huishouden_id: uuid.UUID | str | None = None,
    persoon_ids: Iterable[Any] = (),
    velden: Iterable[str] = (),
    reden: str = "",
    uitkomst: str = Uitkomst.ALLOWED,
    noodtoegang: bool = False,
    request: Any = None,
    username: str = "",
    trigger: Any = None,
    huishouden_ids: Iterable[Any] = (),
) -> AuditRecord:
    """Append one audit record. ``actor`` is a user, or None for the system.

    A record of the system has username ``SYSTEM`` (unless ``username`` names
    another actor, such as a failed login's name) and names the user whose
    action set it off in ``trigger``. ``huishouden_ids``: every household whose
    data a list or search showed.

    Request id, client address, user agent and API token come from ``request``
    when given, else from the bound request context (``audit.context``).
    """
    if actie not in _ACTIES:
        raise ValueError(f"unknown audit action {actie!r}")
    if doel not in _DOELEN:
        raise ValueError(f"unknown audit purpose {doel!r}")
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    by_trigger = trigger is not None and getattr(trigger, "pk", None) is not None
    organisatie = getattr(actor, "organisatie", None) if is_user else None
    where = context.current()
    if request is not None:
        where = context.from_request(request).filled_from(where)
    values = {
        "occurred_at": timezone.now(),
        "user_id": actor.pk if is_user else None,
        "username": actor.get_username() if is_user else (username or SYSTEM),
        "rol": getattr(actor, "rol", "") if is_user else "",
        "organisatie_id": organisatie.pk if organisatie else None,
        "organisatie_naam": organisatie.naam if organisatie else "",
        "api_token_id": where.api_token_id,
        "trigger_user_id": trigger.pk if by_trigger else None,
        "trigger_username": trigger.get_username() if by_trigger else "",
        "huishouden_id": huishouden_id,
        "huishouden_ids": sorted({str(h) for h in huishouden_ids if h}),
        "persoon_ids": [str(p) for p in persoon_ids],
        "actie": actie,
        "object_type": object_type,
        "object_id": str(object_id) if object_id else "",
        "object_ids": [str(o) for o in object_ids],
        "velden": list(velden),
        "doel": doel,
        "reden": reden,
        "noodtoegang": noodtoegang,
        "request_id": where.request_id,
        "ip_adres": where.ip_adres,
        "user_agent": where.user_agent,
        "uitkomst": uitkomst,
    }
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql":
        return append.insert_pg(db, values)
    return AuditRecord.objects.create(**values)
