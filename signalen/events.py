"""How signal events reach people: recipients, live access and partner webhooks.

Who gets a ``signaal.*`` event now:

* the users of the melder's organisation, for ``signaal.ontvangen`` and
  ``signaal.status_gewijzigd`` (their "Mijn signalen" refreshes); the browser gets
  ids and a version only, the same for a known and an unknown resident;
* the consulenten and teamleiders of the signal's team while it waits in their
  queue (not once it joined a casus or was handled: then its casus decides);
* everyone who may see the linked casus (``casus_viewer_ids``).

Both are computed by ``signalen.selectors`` from the same querysets as the pages.

Webhooks: a partner organisation's subscriptions get the status events of its own
signals, never anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from toegang.events import (
    define,
    register_access_check,
    register_recipients,
    register_webhook_filter,
)

AGGREGATE = "signaal"
_FOR_MELDERS = {"signaal.ontvangen", "signaal.status_gewijzigd"}


def define_events() -> None:
    define(
        "signaal.bijgewerkt",
        aggregate_type=AGGREGATE,
        version=2,
        keys={"team_id", "onderdeel", "huishouden_id"},
        description=(
            "An aanmelding changed in the queue (match judged, split off a casus, moved to "
            "another household: huishouden_id)."
        ),
    )


def _row(signaal_id: Any) -> Any:
    from signalen.models import Signaal

    return Signaal.objects.filter(pk=signaal_id).values("organisatie_id").first()


def recipients(event: Any) -> set[int]:
    """Who may see the signal now (the pages' rules); melders only for their status events."""
    from signalen.selectors import signaal_viewer_ids

    return signaal_viewer_ids(
        signaal_id=event.aggregate_id, melders=event.event_type in _FOR_MELDERS
    )


def recipients_many(events: Sequence[Any]) -> dict[int, set[int]]:
    """``recipients`` for a batch of events, in a few queries per kind (with or without
    the melders)."""
    from signalen.selectors import signaal_viewer_ids_many

    answers: dict[int, set[int]] = {}
    for melders in (True, False):
        group = [event for event in events if (event.event_type in _FOR_MELDERS) is melders]
        if not group:
            continue
        ids = {event.aggregate_id for event in group}
        found = signaal_viewer_ids_many(signaal_ids=ids, melders_for=ids if melders else ())
        answers.update({event.pk: found.get(event.aggregate_id, set()) for event in group})
    return answers


def may_watch(user: Any, signaal_id: str) -> bool:
    """May ``user`` follow this signal live? The same rules as the pages."""
    from signalen.selectors import signaal_visible_to

    return signaal_visible_to(user=user, signaal_id=signaal_id)


def webhook_organisatie(event: Any) -> Any:
    """The organisation whose webhooks get this status event: the signal's own."""
    row = _row(event.aggregate_id)
    return row["organisatie_id"] if row else None


def register() -> None:
    define_events()
    register_recipients(AGGREGATE, recipients, many=recipients_many)
    register_access_check(AGGREGATE, may_watch)
    register_webhook_filter("signaal.status_gewijzigd", webhook_organisatie)
