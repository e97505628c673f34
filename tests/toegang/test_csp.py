"""The Content-Security-Policy headers are django-csp's, from a policy built once."""

from __future__ import annotations

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy

from django.http import HttpResponse
from django.test import RequestFactory

from toegang.csp import CSPMiddleware

REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}


NONCE_VALUE = "bm9uY2Utb2YtdGhlLXRlc3Q="


def _headers(middleware_class, *, use_nonce: bool, path: str = "/", **attributes) -> dict:
    """The CSP headers ``middleware_class`` gives a response (with ``attributes``), when
    the page used the (same) nonce or not."""
    request = RequestFactory().get(path)
    response = HttpResponse("<p>hallo</p>")
    for name, value in attributes.items():
        setattr(response, name, value)
    middleware = middleware_class(lambda _request: response)
    middleware.process_request(request)
    if use_nonce:
        request._csp_nonce = NONCE_VALUE  # as the page's first use of request.csp_nonce
        assert str(request.csp_nonce) == NONCE_VALUE
    middleware.process_response(request, response)
    if not use_nonce:
        with pytest.raises(Exception, match="not available after the CSP header"):
            str(request.csp_nonce)
    return {h: response.get(h) for h in (HEADER, HEADER_REPORT_ONLY)}


CASES = [
    {},
    {"_csp_exempt": True},
    {"_csp_update": {"img-src": ["https://kaart.example"]}},
    {"_csp_replace": {"script-src": [SELF]}},
    {"_csp_config": {"default-src": ["'none'"]}},
    {"_csp_update_ro": {"img-src": ["https://kaart.example"]}},
]


@pytest.mark.parametrize("use_nonce", [False, True])
@pytest.mark.parametrize("attributes", CASES)
def test_each_response_gets_the_headers_django_csp_gives_it(use_nonce, attributes):
    ours = _headers(CSPMiddleware, use_nonce=use_nonce, **attributes)
    assert ours == _headers(DjangoCSPMiddleware, use_nonce=use_nonce, **attributes)
    if not attributes:
        assert ours[HEADER] and ("'nonce-" in ours[HEADER]) is use_nonce


@pytest.mark.parametrize("use_nonce", [False, True])
def test_report_only_and_excluded_prefixes_follow_the_settings(settings, use_nonce):
    plain = _headers(CSPMiddleware, use_nonce=use_nonce)
    assert plain[HEADER_REPORT_ONLY] is None
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        **REPORT_ONLY,
        "EXCLUDE_URL_PREFIXES": ["/api/"],
    }
    for path in ("/", "/api/v1/me"):
        ours = _headers(CSPMiddleware, use_nonce=use_nonce, path=path)
        assert ours == _headers(DjangoCSPMiddleware, use_nonce=use_nonce, path=path)
        assert (ours[HEADER_REPORT_ONLY] is None) is (path == "/api/v1/me")


def test_a_page_and_an_api_answer_carry_the_policy_of_the_settings(client, db):
    page = client.get("/api/v1/docs/")  # its one <style> has the nonce
    nonce = page.wsgi_request._csp_nonce
    assert page.status_code == 200 and f'nonce="{nonce}"' in page.content.decode()
    assert nonce and page[HEADER] == build_policy(nonce=nonce)
    assert f"'nonce-{nonce}'" in page[HEADER]
    assert client.get("/inloggen/")[HEADER] == build_policy()  # no nonce used
    api = client.get("/api/v1/me")
    assert api.status_code in (401, 403) and api[HEADER] == build_policy()
    assert "nonce" not in api[HEADER]
