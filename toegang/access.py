"""Building blocks of the access policy used by views of every app.

Role checks guard pages of a role; object access (casus, signaal) lives in the
selectors of each app and answers 404 for what a user may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def role_required(*rollen: str) -> Callable[[View], View]:
    """Only logged-in users with one of ``rollen``; others get a Dutch 403 page."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_rol(*rollen):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(rollen)  # type: ignore[attr-defined]
        return wrapper

    return decorator
