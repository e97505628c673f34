"""Who holds which permission on a casus, derived from its grant sources.

The guardian rows (``CasusUserObjectPermission``) are a materialised view of
three sources kept on the casus: its aanspreekpunt (view + change), active
betrokkenen (view, plus change with schrijfrecht) and active noodtoegang
(view). Every service that changes a source calls :func:`access_sync` in its
own transaction, so grants and revocations happen only here and a user who
holds access through two sources keeps it when one of them ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from casussen import events
from casussen.models.casus import Betrokkene, Casus, CasusUserObjectPermission, Noodtoegang
from toegang import policy

VIEW = "view_casus"
CHANGE = "change_casus"


def vandaag() -> date:
    return timezone.localdate()


def desired_codenames(*, casus: Casus, user_id: int, now: datetime | None = None) -> set[str]:
    """The permissions ``user_id`` should hold on ``casus`` according to its sources."""
    now = now or timezone.now()
    codenames: set[str] = set()
    if casus.aanspreekpunt_id == user_id:
        codenames |= {VIEW, CHANGE}
    for schrijfrecht in Betrokkene.objects.filter(
        casus=casus,
        user_id=user_id,
        revoked_at__isnull=True,
        eind_datum__gte=timezone.localdate(now),
    ).values_list("schrijfrecht", flat=True):
        codenames.add(VIEW)
        if schrijfrecht:
            codenames.add(CHANGE)
    if Noodtoegang.objects.filter(
        casus=casus, user_id=user_id, ended_at__isnull=True, expires_at__gt=now
    ).exists():
        codenames.add(VIEW)
    return codenames


def access_sync(*, casus: Casus, user_ids: Iterable[int]) -> set[int]:
    """Bring the guardian rows of ``user_ids`` on ``casus`` in line with the sources.

    Returns the users who lost view access; their live feed is revoked after commit.
    """
    lost_view: set[int] = set()
    for user_id in {u for u in user_ids if u is not None}:
        have = policy.codenames_of(CasusUserObjectPermission, user_id=user_id, object_id=casus.pk)
        want = desired_codenames(casus=casus, user_id=user_id)
        if want - have:
            policy.grant(
                CasusUserObjectPermission,
                user_id=user_id,
                object_id=casus.pk,
                codenames=want - have,
            )
        if have - want:
            policy.revoke(
                CasusUserObjectPermission,
                user_id=user_id,
                object_id=casus.pk,
                codenames=have - want,
            )
        if VIEW in have and VIEW not in want:
            lost_view.add(user_id)
    events.revoke_live(casus_id=casus.pk, user_ids=lost_view)
    return lost_view


def has_access(*, user_id: int, casus_id: Any, codename: str = VIEW) -> bool:
    return CasusUserObjectPermission.objects.filter(
        user_id=user_id,
        content_object_id=casus_id,
        permission_id=policy.permission_id(Casus, codename),
    ).exists()
