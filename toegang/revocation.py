"""Revocation that reaches every open websocket: model hooks on users and API tokens.

Whatever path changes them (a service, the admin, a management command, a shell),
after commit:

* a user who is deactivated, deleted, or gets another role or team: every socket
  of that user closes (4401); the browser asks to log in again, and a new socket
  gets the rights of now;
* an API token that is revoked (also by rotation) or deleted: every socket opened
  with that token closes (4401);
* a browser session that ends (logout, a deleted session row: "log out
  everywhere", ``clearsessions``): the sockets opened with that session close (4401).

Access to one casus (a betrokkene's term, noodtoegang, a handover) ends in
``casussen.services.access.access_sync``, which drops the watch of that casus on
the user's sockets; the relay resolves recipients when it sends, so the feed stops
too. The consumers re-check their credentials themselves as a second line
(``toegang.realtime.validity``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.db.models.signals import post_delete, post_save, pre_save

from toegang import realtime
from toegang.logging import get_logger
from toegang.models import ApiToken, User

log = get_logger(__name__)

#: User fields whose change ends the user's open sockets.
ACCESS_FIELDS = ("is_active", "rol", "team_id")
_UPDATE_FIELDS = {"is_active", "rol", "team", "team_id"}


def _user_before_save(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    instance._access_before = None  # type: ignore[attr-defined]
    update_fields = kwargs.get("update_fields")
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _UPDATE_FIELDS & set(update_fields):
        return  # e.g. last_login on every login: no query
    instance._access_before = (  # type: ignore[attr-defined]
        User.objects.filter(pk=instance.pk).values(*ACCESS_FIELDS).first()
    )


def _user_saved(
    sender: Any, instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    before = getattr(instance, "_access_before", None)
    instance._access_before = None  # type: ignore[attr-defined]
    if raw or created or before is None:
        return
    changed = [field for field in ACCESS_FIELDS if before[field] != getattr(instance, field)]
    if changed == ["rol"] and not before["rol"]:
        return  # a new account getting its first role (``user_create``): no sockets yet
    if changed:
        log.info("user_sockets_closed", user_id=instance.pk, fields=changed)
        realtime.disconnect_user(instance.pk)


def _user_deleted(sender: Any, instance: User, **kwargs: Any) -> None:
    realtime.disconnect_user(instance.pk)


def _token_saved(sender: Any, instance: ApiToken, raw: bool = False, **kwargs: Any) -> None:
    if not raw and instance.revoked_at is not None:
        realtime.disconnect_token(instance.pk)


def _token_deleted(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    realtime.disconnect_token(instance.pk)


def _session_deleted(sender: Any, instance: Session, **kwargs: Any) -> None:
    realtime.disconnect_session(instance.session_key)


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Also for session engines without rows (cache, signed cookies)."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        realtime.disconnect_session(session_key)


def connect() -> None:
    """Called once from ``ToegangConfig.ready``."""
    pre_save.connect(_user_before_save, sender=User, dispatch_uid="revocation.user_before")
    post_save.connect(_user_saved, sender=User, dispatch_uid="revocation.user_saved")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="revocation.user_deleted")
    post_save.connect(_token_saved, sender=ApiToken, dispatch_uid="revocation.token_saved")
    post_delete.connect(_token_deleted, sender=ApiToken, dispatch_uid="revocation.token_deleted")
    post_delete.connect(_session_deleted, sender=Session, dispatch_uid="revocation.session_deleted")
    user_logged_out.connect(_logged_out, dispatch_uid="revocation.logged_out")
