"""Home redirect per role, health check, and the error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import never_cache

from audit.anchors import configured as anchors_configured
from audit.anchors import status as anchor_status
from audit.keys import key_status as audit_key_status
from toegang.api.problems import problem_response
from toegang.health import check_cache, check_channel_layer, check_database, check_nats
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
    db_ok, db_detail = check_database()
    parts: dict[str, dict[str, Any]] = {"database": {"ok": db_ok, "detail": db_detail}}
    checks = {"channel_layer": check_channel_layer(), "cache": check_cache()}
    nats = check_nats()
    if nats is not None:
        checks["nats"] = nats
    for name, (ok, detail) in checks.items():
        parts[name] = {"ok": ok, "detail": detail}
    degraded = sorted(name for name, (ok, _) in checks.items() if not ok)
    # Anchoring: reported always; a configured store that fails or falls behind degrades.
    anchoring = anchor_status() if db_ok else {"ok": False, "detail": "database onbereikbaar"}
    parts["audit_verankering"] = anchoring
    if anchors_configured() and not anchoring["ok"]:
        degraded = sorted([*degraded, "audit_verankering"])
    # The audit key: without it nothing is sealed; a wrong one makes every new seal suspect.
    sleutel = audit_key_status() if db_ok else {"ok": False, "detail": "database onbereikbaar"}
    parts["audit_sleutel"] = sleutel
    if db_ok and not sleutel["ok"]:
        degraded = sorted([*degraded, "audit_sleutel"])
    status = "fout" if not db_ok else ("beperkt" if degraded else "ok")
    return JsonResponse(
        {"status": status, **parts, "beperkt": degraded},
        status=503 if not db_ok else 200,
    )


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
