"""Session lifetime: idle timeout, absolute lifetime, and logging out everywhere.

Every session remembers when its login happened (``auth_at``), when it was last
used (``last_seen``) and the user's session generation at login. Used means a
request the user made: a page, a form, an htmx request. Re-fetches that live.js
makes because an event arrived (header ``X-Live-Refresh``) and the websocket
itself do not count, so a page left open ends at the idle timeout like any other;
its websocket is then closed with 4401 (``toegang.realtime.validity``). Raising the
generation (``sessions_end_all``) ends every session of the user on its next
request or websocket connect, whatever the session backend.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.dispatch import receiver

from toegang.models import User

AUTH_AT = "auth_at"
LAST_SEEN = "last_seen"
GENERATION = "sessie_generatie"
#: ``last_seen`` is written at most this often (seconds), to spare the session store;
#: at most a tenth of the idle timeout, so a short timeout still sees activity.
TOUCH_INTERVAL = 30


@receiver(user_logged_in, dispatch_uid="toegang.identity.sessions.stamp")
def _stamp(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[AUTH_AT] = now
    request.session[LAST_SEEN] = now
    request.session[GENERATION] = user.sessie_generatie


def session_problem(session: Any, user: Any, *, now: float | None = None) -> str:
    """Why this session may no longer be used ('' when it may)."""
    now = time.time() if now is None else now
    if session.get(GENERATION, 0) != user.sessie_generatie:
        return "overal uitgelogd"
    auth_at = session.get(AUTH_AT)
    if auth_at is not None and now - auth_at > settings.SESSION_ABSOLUTE_LIFETIME:
        return "maximale sessieduur verstreken"
    last_seen = session.get(LAST_SEEN)
    if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
        return "sessie verlopen wegens inactiviteit"
    return ""


def expires_at(session: Any) -> float | None:
    """When this session ends unless it is used before (epoch seconds; None: no stamps)."""
    ends = []
    if (auth_at := session.get(AUTH_AT)) is not None:
        ends.append(auth_at + settings.SESSION_ABSOLUTE_LIFETIME)
    if (last_seen := session.get(LAST_SEEN)) is not None:
        ends.append(last_seen + settings.SESSION_IDLE_TIMEOUT)
    return min(ends) if ends else None


def touch(session: Any, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    interval = min(TOUCH_INTERVAL, settings.SESSION_IDLE_TIMEOUT / 10)
    if now - session.get(LAST_SEEN, 0) >= interval:
        session[LAST_SEEN] = int(now)


def sessions_end_all(*, user: User) -> None:
    """End every session of ``user`` (this one too, on its next request) and close
    the user's open websockets (after commit)."""
    from toegang import realtime

    User.objects.filter(pk=user.pk).update(sessie_generatie=F("sessie_generatie") + 1)
    user.refresh_from_db(fields=["sessie_generatie"])
    realtime.disconnect_user(user.pk)
