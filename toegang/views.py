"""Home redirect per role, health check, and the error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import never_cache

from toegang import health
from toegang.api.problems import problem_response
from toegang.overload import overload_response
from toegang.roles import HOME_URL_NAME, Rol


@login_required
def home(request: HttpRequest) -> HttpResponse:
    target = HOME_URL_NAME.get(request.user.rol)  # type: ignore[union-attr]
    if target is None:
        return render(request, "toegang/geen_rol.html", status=403)
    return redirect(target)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 "ok"; 200 "beperkt" when a part the platform can miss is down; 503 without database."""
    status, body = health.report()
    return JsonResponse(body, status=status)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _noodtoegang_url(request: HttpRequest) -> str | None:
    """On a casus address a consultant cannot open: the way to noodtoegang (no existence leak:
    the form asks a reason first and every casus address gets the same offer)."""
    user = request.user
    if not user.is_authenticated or user.rol != Rol.CONSULENT:  # type: ignore[union-attr]
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    casus_id = match.kwargs.get("casus_id")
    if match.namespace != "casussen" or casus_id is None:
        return None
    return reverse("casussen:noodtoegang", args=[casus_id])


def error_404(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _is_api(request):
        return problem_response(request, 404)
    return render(request, "404.html", {"noodtoegang_url": _noodtoegang_url(request)}, status=404)


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
