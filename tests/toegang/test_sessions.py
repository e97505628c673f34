"""Sessions: idle timeout, absolute lifetime, the account page, logging out everywhere."""

from __future__ import annotations

import re
import time

from django_otp.plugins.otp_static.models import StaticToken

from django.test import Client, override_settings

from audit.models import Actie, AuditRecord
from tests.auth import log_in, verified_login
from toegang.identity import sessions
from toegang.roles import Rol


def _age(client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


@override_settings(SESSION_IDLE_TIMEOUT=600)
def test_an_idle_session_ends_and_says_why_in_dutch(client, consulent):
    verified_login(client, consulent)
    _age(client, sessions.LAST_SEEN, 601)
    response = client.get("/casussen/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/inloggen/")
    assert "Uw sessie is verlopen" in response.content.decode()
    assert AuditRecord.objects.filter(
        user_id=consulent.pk, actie=Actie.LOGOUT, reden="sessie verlopen wegens inactiviteit"
    ).exists()


@override_settings(SESSION_IDLE_TIMEOUT=600)
def test_a_session_in_use_stays(client, consulent):
    verified_login(client, consulent)
    _age(client, sessions.LAST_SEEN, 500)
    assert client.get("/casussen/").status_code == 200
    _age(client, sessions.AUTH_AT, 3000)  # older than the idle timeout, still in use
    assert client.get("/casussen/").status_code == 200


@override_settings(SESSION_ABSOLUTE_LIFETIME=3600)
def test_a_session_ends_after_its_absolute_lifetime_even_in_use(client, consulent):
    verified_login(client, consulent)
    _age(client, sessions.AUTH_AT, 3601)
    response = client.get("/casussen/")
    assert response.status_code == 302
    assert AuditRecord.objects.filter(
        user_id=consulent.pk, reden="maximale sessieduur verstreken"
    ).exists()


def test_the_idle_timeout_defaults_to_fifteen_minutes(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 15 * 60
    assert settings.SESSION_ABSOLUTE_LIFETIME > settings.SESSION_IDLE_TIMEOUT


def test_the_account_page_lists_the_factors(client, consulent):
    log_in(client, consulent)
    html = client.get("/account/").content.decode()
    assert "Authenticator-app: ingesteld" in html
    assert "Overal uitloggen" in html


def test_logging_out_everywhere_ends_every_session_of_the_user(client, make_user):
    consulent, collega = make_user(Rol.CONSULENT), make_user(Rol.CONSULENT)
    laptop, telefoon, ander = Client(), Client(), Client()
    verified_login(laptop, consulent)
    verified_login(telefoon, consulent)
    verified_login(ander, collega)
    response = telefoon.post("/account/overal-uitloggen/", follow=True)
    assert "U bent op al uw apparaten uitgelogd" in response.content.decode()
    assert laptop.get("/casussen/").status_code == 302
    assert telefoon.get("/casussen/").status_code == 302
    assert ander.get("/casussen/").status_code == 200
    assert AuditRecord.objects.filter(user_id=consulent.pk, reden="overal uitgelogd").exists()
    log_in(laptop, consulent)  # a new login works
    assert laptop.get("/casussen/").status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client, consulent):
    from toegang.identity.mfa import recovery_codes_regenerate

    log_in(client, consulent)
    old = set(recovery_codes_regenerate(user=consulent))
    page = client.post("/account/herstelcodes/nieuw/", follow=True).content.decode()
    new = set(re.findall(r"<li><code>([a-z0-9]+)</code></li>", page))
    assert len(new) == 10
    assert not old & new
    stored = set(StaticToken.objects.filter(device__user=consulent).values_list("token", flat=True))
    assert stored == new
