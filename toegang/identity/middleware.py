"""Every request of a logged-in session: still valid, and verified with a second factor.

A session that timed out, was ended everywhere, or lacks the second factor its
user needs is logged out: a page goes to the login, the API answers 401
problem+json. Verified means django-otp's session key is set at login; no query
per request (django-otp's ``OTPMiddleware``, which loads the device every time, is
not used: a factor reset ends the sessions through the session generation).
API tokens are not sessions and pass untouched (tokens are issued to staff who
logged in with both factors).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _

from audit.models import Actie, Doel
from audit.services import record
from toegang.identity import mfa, sessions
from toegang.overload import overload_response

#: Sent by live.js on a re-fetch caused by an event, not by the user: it does not
#: count as activity for the idle timeout (it can only shorten one's own session).
LIVE_REFRESH_HEADER = "X-Live-Refresh"


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            reden = self._problem(request)
        except OperationalError as exc:  # the first database use of the request
            overloaded = overload_response(request, exc)
            if overloaded is None:
                raise
            return overloaded
        if reden:
            return self._end(request, reden)
        return self.get_response(request)

    def _problem(self, request: HttpRequest) -> str:
        """Why this request's session must end ('' when it may go on)."""
        user = request.user
        if not user.is_authenticated:
            return ""
        reden = sessions.session_problem(request.session, user)
        unverified = not reden and not mfa.session_verified(request.session)
        if unverified and mfa.second_factor_needed(user):
            reden = "tweede factor ontbreekt"
        if not reden and not request.headers.get(LIVE_REFRESH_HEADER):
            sessions.touch(request.session)
        return reden

    def _end(self, request: HttpRequest, reden: str) -> HttpResponse:
        record(
            actor=request.user,
            actie=Actie.LOGOUT,
            doel=Doel.AUTHENTICATIE,
            reden=reden,
            request=request,
        )
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "about:blank",
                    "title": _("Niet ingelogd"),
                    "status": 401,
                    "detail": _("Uw sessie is verlopen. Log opnieuw in."),
                },
                status=401,
                content_type="application/problem+json",
            )
        messages.info(request, _("Uw sessie is verlopen. Log opnieuw in."))
        login_url = resolve_url(settings.LOGIN_URL)
        if request.method != "GET":
            return redirect(login_url)
        return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
