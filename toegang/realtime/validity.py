"""Is an open websocket still allowed? The credentials it was opened with, re-checked.

A socket remembers what it was opened with: the user with their role and team,
the API token or the session. The revocation hooks (``toegang.revocation``) close
sockets as soon as one of those changes; these checks are the second line, for a
close message that never arrived (Redis away, another process): before events are
passed on (:func:`valid_among`, for all the sockets of a fan-out batch at once, in
a few queries whatever their number) and every ``LIVE_RECHECK_SECONDS``, for all the
idle sockets of a process together (:func:`seconds_left_among`, ``toegang.realtime.hub``).
A session socket is also re-checked at the moment its session would time out
(:func:`seconds_left`), so an idle session's socket closes within about a second
of the expiry, not up to ``LIVE_RECHECK_SECONDS`` later.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY

#: Default seconds between two periodic re-checks of an idle connection.
DEFAULT_RECHECK_SECONDS = 30.0


def recheck_seconds() -> float:
    return float(getattr(settings, "LIVE_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS))


@dataclass(frozen=True)
class Credentials:
    """What a socket was opened with; it stays valid while all of it still holds."""

    user_id: int
    rol: str
    team_id: Any
    token_id: str | None = None
    session_key: str | None = None


def credentials_for(user: Any, scope: dict[str, Any]) -> Credentials:
    token_id = scope.get("api_token_id")
    session_key = None
    if token_id is None:
        session = scope.get("session")
        session_key = getattr(session, "session_key", None)
    return Credentials(
        user_id=user.pk,
        rol=user.rol,
        team_id=user.team_id,
        token_id=str(token_id) if token_id is not None else None,
        session_key=session_key,
    )


def still_valid(credentials: Credentials) -> bool:
    """Active user, same role and team, token or session alive."""
    return seconds_left(credentials) > 0


def valid_among(credentials: Iterable[Credentials]) -> set[Credentials]:
    """Those of ``credentials`` that still hold (the rules of :func:`seconds_left`)."""
    return {c for c, left in seconds_left_among(credentials).items() if left > 0}


def seconds_left_among(
    credentials: Iterable[Credentials], *, now: float | None = None
) -> dict[Credentials, float]:
    """:func:`seconds_left` of each of ``credentials``, in a few queries for them all.

    One query for the tokens, one for the users and one for the sessions, however
    many sockets: a fan-out checks every recipient before each batch of events, and
    the hub re-checks all of its process's idle sockets together.
    """
    from toegang.models import User

    distinct = set(credentials)
    tokens = [c for c in distinct if c.token_id is not None]
    others = [c for c in distinct if c.token_id is None]
    left: dict[Credentials, float] = dict.fromkeys(distinct, 0.0)
    if tokens:
        alive = _alive_tokens({c.token_id for c in tokens if c.token_id is not None})
        left.update(
            (c, math.inf) for c in tokens if (c.token_id, c.user_id, c.rol, c.team_id) in alive
        )
    if others:
        users = User.objects.select_related("organisatie").filter(
            pk__in={c.user_id for c in others}, is_active=True
        )
        by_pk = {user.pk: user for user in users}
        stored = _load_sessions({c.session_key for c in others if c.session_key is not None})
        for c in others:
            user = by_pk.get(c.user_id)
            if user is None or user.rol != c.rol or user.team_id != c.team_id:
                continue
            left[c] = _session_seconds_left(c.session_key, user, now, stored)
    return left


def _alive_tokens(token_ids: set[str]) -> set[tuple[str, int, str, Any]]:
    """(token id, user id, role, team id) of those of ``token_ids`` not revoked, user active.

    On PostgreSQL one array parameter (``= ANY``) with the ids as text both ways: the
    ORM's ``IN`` list costs a parameter, a UUID and its quoting per id, which was most of
    a fan-out batch's check with hundreds of sockets. Elsewhere the ORM (the same rows).
    """
    from django.db import connection

    from toegang.models import ApiToken, User

    if connection.vendor != "postgresql":
        return {
            (str(pk), user_id, rol, team_id)
            for pk, user_id, rol, team_id in ApiToken.objects.filter(
                pk__in=token_ids, revoked_at__isnull=True, user__is_active=True
            ).values_list("pk", "user_id", "user__rol", "user__team_id")
        }
    token, user = ApiToken._meta, User._meta
    sql = (
        f'SELECT t."{token.pk.column}"::text, t."{token.get_field("user").column}", '  # noqa: S608  # nosec B608  # built from model metadata only
        f'u."{user.get_field("rol").column}", u."{user.get_field("team").column}" '
        f'FROM "{token.db_table}" t JOIN "{user.db_table}" u '
        f'ON u."{user.pk.column}" = t."{token.get_field("user").column}" '
        f'WHERE t."{token.pk.column}" = ANY(%s::uuid[]) '
        f'AND t."{token.get_field("revoked_at").column}" IS NULL '
        f'AND u."{user.get_field("is_active").column}"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(token_ids)])
        return set(cursor.fetchall())


def seconds_left_at_opening(credentials: Credentials, session: Any) -> float:
    """Until the first re-check of a socket just opened, without a query.

    The connection was authenticated a moment ago (token, or session under the page's
    rules, ``toegang.realtime.auth``): only a session's deadline can come first.
    """
    from toegang.identity import sessions

    if credentials.session_key is None or session is None:
        return math.inf
    ends = sessions.expires_at(session)
    return math.inf if ends is None else max(ends - time.time(), 0.0)


def _load_sessions(keys: set[str]) -> dict[str, Any] | None:
    """The stored sessions of ``keys`` in one query (database engine), else None."""
    if not keys or settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return None
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    rows = Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
    return {row.session_key: store.decode(row.session_data) for row in rows}


def seconds_left(credentials: Credentials, *, now: float | None = None) -> float:
    """How long the socket may stay open unless something changes (0: close it now).

    A token socket has no deadline of its own (``inf``). A session socket ends
    when its session does: logged out, ended everywhere, second factor missing,
    or the idle timeout or absolute lifetime reached (the same rules as a page,
    ``sessions.session_problem``). Only a request of the user extends a session,
    so the consumer re-checks at the deadline and closes the socket then.
    """
    from toegang.models import ApiToken, User

    if credentials.token_id is not None:
        alive = ApiToken.objects.filter(
            pk=credentials.token_id,
            revoked_at__isnull=True,
            user_id=credentials.user_id,
            user__is_active=True,
            user__rol=credentials.rol,
            user__team_id=credentials.team_id,
        ).exists()
        return math.inf if alive else 0.0
    user = (
        User.objects.select_related("organisatie")
        .filter(
            pk=credentials.user_id,
            is_active=True,
            rol=credentials.rol,
            team_id=credentials.team_id,
        )
        .first()
    )
    if user is None:
        return 0.0
    return _session_seconds_left(credentials.session_key, user, now)


def _session_seconds_left(
    session_key: str | None,
    user: Any,
    now: float | None,
    stored: dict[str, Any] | None = None,
) -> float:
    """A server-side session must still exist and pass the page's session rules.

    ``stored``: sessions loaded beforehand by :func:`_load_sessions` (a missing key
    is a session that no longer exists); None loads this one from the store."""
    from toegang.identity import mfa, sessions

    if session_key is None or settings.SESSION_ENGINE.endswith("signed_cookies"):
        return math.inf  # opened without a server-side session: the user check is all
    if stored is not None:
        session = stored.get(session_key, {})
    else:
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    if session.get(SESSION_KEY) != str(user.pk):
        return 0.0  # logged out, expired or flushed
    if sessions.session_problem(session, user, now=now):
        return 0.0
    if mfa.second_factor_needed(user) and not mfa.session_verified(session):
        return 0.0
    ends = sessions.expires_at(session)
    if ends is None:
        return math.inf
    return max(ends - (time.time() if now is None else now), 0.0)
