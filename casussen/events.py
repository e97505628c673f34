"""The casus's domain events and live-feed revocation, through ``toegang.events``.

Events carry ids only (see ``toegang.events.catalogue``); they are written to
the outbox inside the calling service's transaction. Revocation of the live
feed runs after commit, so a rolled-back handover revokes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from toegang import events
from toegang.logging import get_logger

if TYPE_CHECKING:
    from casussen.models import Casus

log = get_logger(__name__)

AGGREGATE = "casus"


def emit(event_type: str, *, casus: Casus, data: Mapping[str, Any] | None = None) -> None:
    """Queue ``event_type`` about ``casus`` in the current transaction."""
    events.emit(
        event_type,
        aggregate_type=AGGREGATE,
        aggregate_id=casus.pk,
        version=casus.version,
        data=dict(data or {}),
    )


def revoke_live(*, casus_id: Any, user_ids: Iterable[int]) -> None:
    """After commit: end the live feed of ``casus_id`` on the users' open websockets."""
    users = sorted(set(user_ids))
    if not users:
        return

    def run() -> None:
        from toegang import realtime

        for user_id in users:
            realtime.revoke(user_id, AGGREGATE, str(casus_id))
        log.info("casus_live_feed_revoked", casus_id=str(casus_id), users=len(users))

    transaction.on_commit(run)
