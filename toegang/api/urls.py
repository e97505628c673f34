"""``/api/v1/``: every app's API, the OpenAPI schema and the docs."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from toegang.api.problems import problem_response
from toegang.api.views import MeView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI without inline script (its set-up is served as a script), for the CSP."""

    template_name = "toegang/api/swagger_ui.html"


def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    return problem_response(request, 404)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    path("me", MeView.as_view(), name="me"),
    path("", include("signalen.api.urls")),
    path("", include("casussen.api.urls")),
    path("", include("casussen.overleg.api")),
    path("", include("audit.api.urls")),
    path("", include("monitor.api.urls")),
    re_path(r"^.*$", not_found, name="not_found"),
]
