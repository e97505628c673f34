"""Map casus domain errors to the shared problem+json handler's exceptions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework import exceptions, status

from casussen.errors import CasusConflict, VersieConflict
from toegang.api.problems import Conflict


class PreconditionFailed(exceptions.APIException):
    """412: the ``version`` sent is not the current one (optimistic locking)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "De versie is verouderd."
    default_code = "versieconflict"


def domain_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """409 for a state conflict, 412 for a stale version, 404 for a refused actor."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except VersieConflict as exc:
            raise PreconditionFailed(exc.message) from None
        except CasusConflict as exc:
            raise Conflict(exc.message) from None
        except PermissionDenied:
            raise exceptions.NotFound() from None

    return wrapper
