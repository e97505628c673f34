"""Bearer tokens for partner systems and integrations; stored as SHA-256 digests."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from audit import context as audit_context
from toegang.identity import policy
from toegang.models import ApiToken
from toegang.prepared import PreparedQueries
from toegang.services import token_digest

_TOUCH_INTERVAL = timedelta(minutes=5)


_queries = PreparedQueries()


def _active_token(digest: str) -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user", "user__organisatie").filter(
        digest=digest, revoked_at__isnull=True, user__is_active=True
    )[:1]


def authenticate_token(raw: str) -> ApiToken | None:
    """The active token for ``raw`` with its user, or None. Shared with the websocket.

    Looked up in the database on every request (a revoked token or a deactivated
    user is refused at once), from SQL compiled once (``toegang.prepared``).
    """
    found = _queries.run("active_token", _active_token, [token_digest(raw)])
    if not found:
        return None
    token = found[0]
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0] not in (self.keyword, "Token"):
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Ongeldige Authorization-header."))
        token = authenticate_token(parts[1])
        allowed = policy.token_check(request._request, token, parts[1], entrance="api")
        if token is None or not allowed:
            raise exceptions.AuthenticationFailed(_("Ongeldig of ingetrokken token."))
        # The audit records of this request name the token (the middleware's context
        # ends with the request).
        audit_context.bind(replace(audit_context.current(), api_token_id=token.pk))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "toegang.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "API-token (bt_...)"}
