"""The embedded default shows users the Dutch error pages: DEBUG is off unless asked for."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from django.test import Client

from toegang.views import error_500

pytestmark = pytest.mark.django_db


def _dev_setting(name: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "DEBUG"} | env
    environment["DJANGO_SETTINGS_MODULE"] = "toegang.settings.dev"
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_embedded_default_runs_with_debug_off_and_serves_static_files():
    assert _dev_setting("DEBUG") == "False"
    assert _dev_setting("WHITENOISE_USE_FINDERS") == "True"


def test_a_developer_can_turn_debug_on():
    assert _dev_setting("DEBUG", DEBUG="1") == "True"


def test_unknown_address_is_a_dutch_404_without_url_patterns(client: Client):
    response = client.get("/bestaat/niet/")
    assert response.status_code == 404
    assert "Niet gevonden" in response.content.decode()
    assert "URLconf" not in response.content.decode()


def test_500_is_a_dutch_page_in_the_house_style(rf):
    request = rf.get("/casussen/")
    response = error_500(request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "Er ging iets mis" in body
    assert "site.css" in body
    assert "Traceback" not in body
