"""The casus behind a plan page or API call, with the access check and the denial audit.

View access is needed to see anything (``Http404`` otherwise, like a missing
id). A write needs change access: a user who may see the casus but not change
it gets ``PermissionDenied`` (403), and that denied attempt is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from audit.models import Actie as AuditActie
from audit.models import Doel as Doeleinde
from audit.models import Uitkomst
from audit.services import record
from casussen.selectors import casus_get_for_user, noodtoegang_actief


def casus_for_read(request: HttpRequest, casus_id: Any) -> Any:
    return casus_get_for_user(user=request.user, casus_id=casus_id, need="view")


def casus_for_write(request: HttpRequest, casus_id: Any, *, object_type: str = "plan") -> Any:
    casus = casus_for_read(request, casus_id)
    try:
        return casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
    except Http404:
        audit_denied(request, casus=casus, object_type=object_type)
        raise PermissionDenied from None


def audit_denied(
    request: HttpRequest, *, casus: Any, object_type: str, object_id: Any = "", reden: str = ""
) -> None:
    """Record a refused write (outside the refused transaction, so it stays)."""
    record(
        actor=request.user,
        actie=AuditActie.DENY,
        doel=Doeleinde.CASUSBEHANDELING,
        object_type=object_type,
        object_id=object_id or casus.pk,
        huishouden_id=casus.huishouden_id,
        reden=reden,
        uitkomst=Uitkomst.DENIED,
        request=request,
    )


def audit_read(
    request: HttpRequest,
    *,
    casus: Any,
    object_type: str,
    object_id: Any,
    velden: list[str],
    actie: str = AuditActie.READ,
    persoon_ids: list[Any] | None = None,
) -> None:
    """Record that the user saw (or printed, exported) plan content."""
    nood = noodtoegang_actief(user=request.user, casus_id=casus.pk) is not None
    record(
        actor=request.user,
        actie=actie,
        doel=Doeleinde.NOODTOEGANG if nood else Doeleinde.CASUSBEHANDELING,
        object_type=object_type,
        object_id=object_id,
        huishouden_id=casus.huishouden_id,
        persoon_ids=persoon_ids or [],
        velden=velden,
        noodtoegang=nood,
        request=request,
    )
