"""How signal events reach people: recipients, live access and partner webhooks.

Who gets a ``signaal.*`` event now:

* the users of the melder's organisation, for ``signaal.ontvangen`` and
  ``signaal.status_gewijzigd`` (their "Mijn signalen" refreshes); the browser gets
  ids and a version only, the same for a known and an unknown resident;
* the consulenten and teamleiders of the signal's team while it waits in the queue
  (and when it leaves it);
* everyone who may see the linked casus (``casus_viewer_ids``).

Webhooks: a partner organisation's subscriptions get the status events of its own
signals, never anything else.
"""

from __future__ import annotations

from typing import Any

from toegang.events import (
    define,
    register_access_check,
    register_recipients,
    register_webhook_filter,
)
from toegang.roles import Rol

AGGREGATE = "signaal"
_FOR_MELDERS = {"signaal.ontvangen", "signaal.status_gewijzigd"}
_FOR_QUEUE = {
    "signaal.ontvangen",
    "signaal.toegewezen",
    "signaal.gekoppeld",
    "signaal.bijgewerkt",
    "signaal.status_gewijzigd",
}


def define_events() -> None:
    define(
        "signaal.bijgewerkt",
        aggregate_type=AGGREGATE,
        keys={"team_id", "onderdeel"},
        description="An aanmelding changed in the queue (match judged, split off a casus).",
    )


def _row(signaal_id: Any) -> Any:
    from signalen.models import Signaal

    return (
        Signaal.objects.filter(pk=signaal_id)
        .values("organisatie_id", "team_id", "casus_id")
        .first()
    )


def _users(**filters: Any) -> set[int]:
    from toegang.models import User

    return set(User.objects.filter(is_active=True, **filters).values_list("pk", flat=True))


def recipients(event: Any) -> set[int]:
    row = _row(event.aggregate_id)
    if row is None:
        return set()
    found: set[int] = set()
    if event.event_type in _FOR_MELDERS:
        found |= _users(rol=Rol.MELDER, organisatie_id=row["organisatie_id"], is_api_client=False)
    if row["casus_id"] is not None:
        from casussen.selectors import casus_viewer_ids

        found |= casus_viewer_ids(casus_id=row["casus_id"])
    if event.event_type in _FOR_QUEUE:
        found |= _users(rol__in=[Rol.CONSULENT, Rol.TEAMLEIDER], team_id=row["team_id"])
    return found


def may_watch(user: Any, signaal_id: str) -> bool:
    """May ``user`` follow this signal live? The same rules as the pages."""
    row = _row(signaal_id)
    if row is None or not getattr(user, "is_active", False):
        return False
    if user.has_rol(Rol.MELDER):
        return user.organisatie_id == row["organisatie_id"]
    if row["casus_id"] is not None:
        from casussen.selectors import casus_viewer_ids

        return user.pk in casus_viewer_ids(casus_id=row["casus_id"])
    return user.has_rol(Rol.CONSULENT, Rol.TEAMLEIDER) and user.team_id == row["team_id"]


def webhook_organisatie(event: Any) -> Any:
    """The organisation whose webhooks get this status event: the signal's own."""
    row = _row(event.aggregate_id)
    return row["organisatie_id"] if row else None


def register() -> None:
    define_events()
    register_recipients(AGGREGATE, recipients)
    register_access_check(AGGREGATE, may_watch)
    register_webhook_filter("signaal.status_gewijzigd", webhook_organisatie)
