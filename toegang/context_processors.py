from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from toegang.navigation import navigation_for


def platform(request: HttpRequest) -> dict[str, Any]:
    """Demo label and the role's navigation for every page."""
    user = getattr(request, "user", None)
    return {
        "demo_mode": getattr(settings, "DEMO_MODE", False),
        "navigation": navigation_for(user, request.path) if user else [],
    }
