"""The recording API every app calls: ``record(...)``.

Call it inside the service's ``transaction.atomic`` block so the record commits
(or rolls back) with the change it describes. Reads are recorded in the request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from audit.models import Actie, AuditRecord, Doel, Uitkomst

_MAX_UA = 300


def _client_ip(request: Any) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
) -> AuditRecord:
    """Append one audit record. ``actor`` is a user (or None for the system)."""
    if actie not in Actie.values:
        raise ValueError(f"unknown audit action {actie!r}")
    if doel not in Doel.values:
        raise ValueError(f"unknown audit purpose {doel!r}")
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    organisatie = getattr(actor, "organisatie", None) if is_user else None
    token = getattr(request, "auth", None) if request is not None else None
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return AuditRecord.objects.create(
        occurred_at=timezone.now(),
        user_id=actor.pk if is_user else None,
        username=actor.get_username() if is_user else username,
        rol=getattr(actor, "rol", "") if is_user else "",
        organisatie_id=organisatie.pk if organisatie else None,
        organisatie_naam=organisatie.naam if organisatie else "",
        api_token_id=getattr(token, "pk", None) if token is not None else None,
        huishouden_id=huishouden_id,
        persoon_ids=[str(p) for p in persoon_ids],
        actie=actie,
        object_type=object_type,
        object_id=str(object_id) if object_id else "",
        object_ids=[str(o) for o in object_ids],
        velden=list(velden),
        doel=doel,
        reden=reden,
        noodtoegang=noodtoegang,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        ip_adres=_client_ip(request),
        user_agent=user_agent[:_MAX_UA],
        uitkomst=uitkomst,
    )
