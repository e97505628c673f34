"""Overload: a saturated database answers 503 with ``Retry-After``, never 500.

Two errors mean "too busy now, try again shortly" rather than "broken": the
connection pool gave no connection within its timeout (``psycopg_pool.PoolTimeout``)
and PostgreSQL refused a new client (SQLSTATE 53300, *too many clients*). Both
reach Django as ``OperationalError`` with the driver's error as its cause.

``OverloadMiddleware`` catches them when a view raises; ``toegang.views.error_500``
asks :func:`overload_response` too, for when a middleware touched the database
first (a session or user lookup). The API gets problem+json, the UI a Dutch page.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from psycopg_pool import PoolTimeout

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from toegang.api.problems import problem_response
from toegang.logging import get_logger

log = get_logger(__name__)

#: SQLSTATE of "too many connections" / "sorry, too many clients already".
TOO_MANY_CONNECTIONS = "53300"


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def is_overload(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database has no connection for us right now."""
    if exc is None:
        return False
    for cause in _causes(exc):
        if isinstance(cause, PoolTimeout):
            return True
        if getattr(cause, "sqlstate", None) == TOO_MANY_CONNECTIONS:
            return True
    return False


def overload_response(
    request: HttpRequest, exc: BaseException | None = None
) -> HttpResponse | None:
    """A 503 with ``Retry-After`` when ``exc`` (default: the one being handled) is overload."""
    if exc is None:
        exc = sys.exc_info()[1]
    if not is_overload(exc):
        return None
    log.warning("database_overload", api=request.path.startswith("/api/"))
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = problem_response(request, 503)
    else:
        # No request context: its processors would ask the saturated database for the user.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(settings.OVERLOAD_RETRY_AFTER)
    return response


class OverloadMiddleware:
    """Turn an overloaded database in a view into 503 + ``Retry-After``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError):
            return overload_response(request, exception)
        return None
