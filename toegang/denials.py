"""Record refused access to an object (a 404 for an authenticated user) in the audit trail.

Views answer 404 for what a user may not see, exactly as for what does not exist;
both are recorded as a denied attempt with the URL name and the object id, never
with submitted values. One place for the web (middleware) and the API (the
problem+json handler), so no view has to remember it.
"""

from __future__ import annotations

from typing import Any

from audit.models import Actie, AuditRecord, Doel, Uitkomst
from audit.services import record
from audit.subjects import owner_of
from toegang.roles import Rol


def _already_recorded(request: Any, user: Any) -> bool:
    request_id = getattr(request, "request_id", "")
    return (
        bool(request_id)
        and AuditRecord.objects.filter(
            request_id=request_id, user_id=user.pk, uitkomst=Uitkomst.DENIED
        ).exists()
    )


def record_denied_object(request: Any) -> None:
    """A denied record when ``request`` named an object (URL kwargs) and got a 404."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    if user is None or not user.is_authenticated or match is None or not match.kwargs:
        return
    if _already_recorded(request, user):
        return
    object_id = next(iter(match.kwargs.values()))
    record(
        actor=user,
        actie=Actie.DENY,
        doel=Doel.SIGNALERING if user.rol == Rol.MELDER else Doel.CASUSBEHANDELING,
        object_type=match.view_name[:64],
        object_id=str(object_id)[:64],
        # The resident whose casus or signal it was: the attempt is in their report.
        huishouden_id=owner_of(object_id),
        uitkomst=Uitkomst.DENIED,
        request=request,
    )
