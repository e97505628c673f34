"""The API's JSON parser: a size limit (413) and a depth limit (400), problem+json both."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

from toegang import jsonlimits


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Het verzoek is te groot.")
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    """JSON bodies up to ``API_MAX_BODY_BYTES`` and ``API_MAX_JSON_DEPTH`` levels deep."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = jsonlimits.max_body_bytes()
        request = (parser_context or {}).get("request")
        declared = _content_length(request)
        if declared is not None and declared > limit:
            raise RequestTooLarge()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge()
        try:
            return jsonlimits.loads(raw)
        except jsonlimits.TooDeepError:
            raise exceptions.ParseError(_("De JSON in het verzoek is te diep genest.")) from None
        except ValueError:  # includes UnicodeDecodeError and JSONDecodeError
            raise exceptions.ParseError() from None


def _content_length(request: Any) -> int | None:
    if request is None:
        return None
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) or None
    except (TypeError, ValueError):
        return None
