"""The overleg's events (aggregate ``overleg``: one session) and who receives them.

Recipients are the users who may see the session now (``sessie_viewer_ids``): the
chair, whoever brought an item in and, from publication until the access window
closes, the participants. The browser re-fetches what it shows over HTTP, so
each participant still gets only the items shared with them.
"""

from __future__ import annotations

from typing import Any

from toegang.events.registry import define, organisatie_from_payload, register_webhook_filter

define(
    "overleg.agenda_gepubliceerd",
    aggregate_type="overleg",
    keys={"overleg_id"},
    description="The chair published a session's agenda (or an item was added after it).",
)
define(
    "overleg.huidig_punt_gewijzigd",
    aggregate_type="overleg",
    keys={"agendapunt_id"},
    description="The chair moved the session to another agendapunt (None: paused).",
)
define(
    "overleg.afspraak_vastgelegd",
    aggregate_type="overleg",
    keys={"agendapunt_id", "afspraak_id", "organisatie_id"},
    description="The chair recorded an afspraak; webhooks of the owner organisatie.",
)
# Partner systems get the afspraken of their own organisation only.
register_webhook_filter("overleg.afspraak_vastgelegd", organisatie_from_payload)


def recipients(event: Any) -> set[int]:
    from casussen.overleg.selectors import sessie_viewer_ids

    return sessie_viewer_ids(sessie_id=event.aggregate_id)


def access_check(user: Any, sessie_id: str) -> bool:
    from django.http import Http404

    from casussen.overleg.selectors import sessie_get_for_user

    try:
        sessie_get_for_user(user=user, sessie_id=sessie_id)
    except Http404:
        return False
    return True
