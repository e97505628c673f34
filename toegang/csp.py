"""The Content-Security-Policy header from a policy built once per process.

django-csp builds the header from the settings on every response, twice (the policy
and the report-only one), walking every directive: about a tenth of the CPU of the
cheapest API request. The string depends only on the settings and on whether the
response has a nonce, so ``CSPMiddleware`` builds it once per setting and kind, with
a marker where the nonce goes, and puts the response's nonce in its place. A response
that a view gave its own policy (django-csp's ``csp_update``, ``csp_replace`` and
``csp_override`` decorators) and every response under ``DEBUG`` take django-csp's own
path. ``tests/toegang/test_csp.py`` holds the headers equal to django-csp's.
"""

from __future__ import annotations

import functools
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

#: Per-response policies set by django-csp's view decorators.
_OWN_POLICY = (
    "_csp_config", "_csp_update", "_csp_replace",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)  # fmt: skip
#: Stands for the nonce in a cached policy; a nonce is base64 and never contains it.
_NONCE_MARK = "\x00nonce\x00"
#: (header, the response attribute that exempts from it, its setting, report-only)
_HEADERS = (
    (HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY", False),
    (HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
)


@functools.cache
def _policy(report_only: bool, with_nonce: bool) -> str:
    """django-csp's policy from the settings ("" for none), the nonce as ``_NONCE_MARK``."""
    return build_policy(nonce=_NONCE_MARK if with_nonce else None, report_only=report_only)


@functools.cache
def _excluded(setting: str) -> tuple[str, ...]:
    policy = getattr(settings, setting, None) or {}
    return tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policy.cache_clear()
        _excluded.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the policy of the settings built once."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if settings.DEBUG or any(getattr(response, name, None) is not None for name in _OWN_POLICY):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        for header, exempt, setting, report_only in _HEADERS:
            policy = _policy(report_only, nonce is not None)
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(_excluded(setting))
            ):
                response[header] = policy if nonce is None else policy.replace(_NONCE_MARK, nonce)
        # As django-csp: a nonce asked for after the header was written is an error.
        if nonce is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
