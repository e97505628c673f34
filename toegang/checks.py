"""System checks that turn an unreachable database or Redis into a clear message."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from toegang.health import check_channel_layer, check_database


@register("toegang_services", deploy=True)
def services_reachable(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    ok, detail = check_database()
    if not ok:
        errors.append(Error(f"Database niet bereikbaar: {detail}", id="toegang.E001"))
    ok, detail = check_channel_layer()
    if not ok:
        errors.append(Error(f"Redis (channel layer) niet bereikbaar: {detail}", id="toegang.E002"))
    return errors
