"""The one place that maps errors to ``application/problem+json`` (RFC 9457).

Titles and details are Dutch and never echo submitted values.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://brede-toegang.nl/problemen/"

_TITLES: dict[int, tuple[str, str]] = {
    400: ("ongeldig-verzoek", "Ongeldig verzoek"),
    401: ("niet-geauthenticeerd", "Niet ingelogd"),
    403: ("geen-toegang", "Geen toegang"),
    404: ("niet-gevonden", "Niet gevonden"),
    405: ("methode-niet-toegestaan", "Methode niet toegestaan"),
    406: ("niet-acceptabel", "Niet acceptabel"),
    409: ("conflict", "Conflict"),
    412: ("versieconflict", "Versieconflict"),
    413: ("te-groot", "Verzoek te groot"),
    415: ("mediatype-niet-ondersteund", "Mediatype niet ondersteund"),
    422: ("ongeldige-invoer", "Ongeldige invoer"),
    429: ("te-veel-verzoeken", "Te veel verzoeken"),
    500: ("serverfout", "Interne fout"),
    503: ("overbelast", "Tijdelijk overbelast"),
}

_DETAILS: dict[int, str] = {
    401: "Log in of stuur een geldig API-token mee in de Authorization-header.",
    403: "U heeft geen toegang tot deze functie.",
    404: "Deze bron bestaat niet of u heeft er geen toegang toe.",
    405: "Deze methode is niet toegestaan op deze bron.",
    415: "Stuur de gegevens als application/json.",
    429: "Te veel verzoeken. Probeer het later opnieuw.",
    500: "Er ging iets mis aan onze kant. Probeer het later opnieuw.",
    503: "Het is nu te druk. Probeer het over enkele seconden opnieuw (zie Retry-After).",
}


def problem(
    status_code: int,
    *,
    detail: str | None = None,
    title: str | None = None,
    type_slug: str | None = None,
    invalid_params: list[dict[str, str]] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    slug, default_title = _TITLES.get(status_code, ("fout", "Fout"))
    body: dict[str, Any] = {
        "type": TYPE_BASE + (type_slug or slug),
        "title": title or _(default_title),
        "status": status_code,
        "detail": detail or _(_DETAILS.get(status_code, default_title)),
    }
    if instance:
        body["instance"] = instance
    if invalid_params:
        body["invalid-params"] = invalid_params
    return body


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    params: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            params.extend(_flatten(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                params.extend(_flatten(value, f"{prefix}[{index}]" if prefix else str(index)))
            else:
                params.extend(_flatten(value, prefix))
    else:
        params.append({"name": prefix or "non_field_errors", "reason": str(detail)})
    return params


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404 | exceptions.NotFound) and context.get("request") is not None:
        from toegang.denials import record_denied_object

        record_denied_object(context["request"])
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            code,
            detail=_("Een of meer velden zijn ongeldig."),
            invalid_params=_flatten(exc.detail),
        )
    elif isinstance(exc, exceptions.ParseError):
        detail = str(exc.detail)
        if detail == str(exceptions.ParseError.default_detail):
            detail = _("De JSON in het verzoek is ongeldig.")
        body = problem(code, detail=detail)
    elif isinstance(exc, exceptions.Throttled):
        body = problem(code)
    elif isinstance(exc, exceptions.APIException) and code in (409, 412, 413):
        body = problem(code, detail=str(exc.detail))
    else:
        body = problem(code)
    request = context.get("request")
    if request is not None:
        body["instance"] = (
            getattr(request, "request_id", None) and f"urn:request:{request.request_id}"
        )
        if body["instance"] is None:
            del body["instance"]
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_response(request: HttpRequest, status_code: int) -> JsonResponse:
    """A problem+json answer for plain Django views (unknown API paths, server errors)."""
    body = problem(status_code)
    request_id = getattr(request, "request_id", None)
    if request_id:
        body["instance"] = f"urn:request:{request_id}"
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"
