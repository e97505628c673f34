"""Is an open websocket still allowed? The credentials it was opened with, re-checked.

A socket remembers what it was opened with: the user with their role and team,
the API token or the session. The revocation hooks (``toegang.revocation``) close
sockets as soon as one of those changes; these checks are the second line, for a
close message that never arrived (Redis away, another process): the consumer runs
:func:`still_valid` before it passes on events and every ``LIVE_RECHECK_SECONDS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings

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
    """One query (two for a session): active user, same role and team, token or session alive."""
    from toegang.models import ApiToken, User

    if credentials.token_id is not None:
        return ApiToken.objects.filter(
            pk=credentials.token_id,
            revoked_at__isnull=True,
            user_id=credentials.user_id,
            user__is_active=True,
            user__rol=credentials.rol,
            user__team_id=credentials.team_id,
        ).exists()
    if not User.objects.filter(
        pk=credentials.user_id,
        is_active=True,
        rol=credentials.rol,
        team_id=credentials.team_id,
    ).exists():
        return False
    return _session_alive(credentials.session_key)


def _session_alive(session_key: str | None) -> bool:
    """A server-side session must still exist (logged out, expired or flushed: no)."""
    if session_key is None:
        return True  # opened without a session: the user check is all there is
    if settings.SESSION_ENGINE.endswith("signed_cookies"):
        return True  # nothing on the server to ask
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return bool(store().exists(session_key))
