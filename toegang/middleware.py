"""Request id and audit context per request, bound to every log line and audit record."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import structlog

from django.http import Http404, HttpRequest, HttpResponse

from audit import context as audit_context

_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Take a well-formed ``X-Request-ID`` from the proxy or make one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")  # request.headers builds all
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        # Every audit record written during this request carries its context.
        with audit_context.bound(audit_context.from_request(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class AuditDenialMiddleware:
    """A 404 raised for a named object is a denied attempt: record it (see toegang.denials)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404):
            from toegang.denials import record_denied_object

            record_denied_object(request)
