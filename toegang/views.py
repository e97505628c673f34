"""Home redirect per role, health check, and the error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from toegang.api.problems import problem_response
from toegang.health import check_channel_layer, check_database
from toegang.overload import overload_response
from toegang.roles import HOME_URL_NAME


@login_required
def home(request: HttpRequest) -> HttpResponse:
    target = HOME_URL_NAME.get(request.user.rol)  # type: ignore[union-attr]
    if target is None:
        return render(request, "toegang/geen_rol.html", status=403)
    return redirect(target)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    db_ok, db_detail = check_database()
    layer_ok, layer_detail = check_channel_layer()
    healthy = db_ok and layer_ok
    return JsonResponse(
        {
            "status": "ok" if healthy else "fout",
            "database": {"ok": db_ok, "detail": db_detail},
            "channel_layer": {"ok": layer_ok, "detail": layer_detail},
        },
        status=200 if healthy else 503,
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_404(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _is_api(request):
        return problem_response(request, 404)
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _is_api(request):
        return problem_response(request, 403)
    return render(request, "403.html", status=403)


def error_400(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _is_api(request):
        return problem_response(request, 400)
    return render(request, "400.html", status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    # A middleware that found the database saturated lands here: 503, not 500.
    overloaded = overload_response(request)
    if overloaded is not None:
        return overloaded
    if _is_api(request):
        return problem_response(request, 500)
    return render(request, "500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
