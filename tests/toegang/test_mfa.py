"""Second factor: enrolment at first login, codes, replay, recovery, reset, demo."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from audit.models import Actie, AuditRecord, Uitkomst
from tests.auth import ensure_totp, log_in, totp_code, verified_login
from tests.toegang.factories import PASSWORD, OrganisatieFactory
from toegang import demo
from toegang.models import User
from toegang.roles import Rol

STAFF = [Rol.CONSULENT, Rol.TEAMLEIDER, Rol.PRIVACY_OFFICER, Rol.BELEIDSADVISEUR, Rol.BEHEERDER]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _password(client, user, password=PASSWORD):
    return client.post("/inloggen/", {"username": user.username, "password": password})


def _code_of(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.mark.parametrize("rol", STAFF)
def test_first_login_of_every_staff_role_forces_enrolment(client, make_user, rol):
    user = make_user(rol)
    response = _password(client, user)
    assert response.url == "/inloggen/instellen/"
    assert "_auth_user_id" not in client.session
    page = client.get("/inloggen/instellen/").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "<svg" in page
    assert re.search(r'data-testid="totp-secret">([A-Z2-7]{32})<', page)
    assert client.get("/casussen/").status_code == 302  # not logged in during enrolment

    response = client.post("/inloggen/instellen/", {"code": _code_of(device)})
    assert response.url.startswith("/account/herstelcodes/")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    device.refresh_from_db()
    assert device.confirmed


def test_recovery_codes_are_shown_once_after_enrolment(client, consulent):
    _password(client, consulent)
    client.get("/inloggen/instellen/")
    device = TOTPDevice.objects.get(user=consulent)
    url = client.post("/inloggen/instellen/", {"code": _code_of(device)}).url
    first = client.get(url).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", first)
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=consulent).values_list("token", flat=True)
    )
    again = client.get(url)
    assert again.status_code == 302
    assert codes[0] not in client.get(again.url, follow=True).content.decode()


def test_a_wrong_enrolment_code_is_refused_in_dutch(client, consulent):
    _password(client, consulent)
    client.get("/inloggen/instellen/")
    response = client.post("/inloggen/instellen/", {"code": "000000"})
    assert "Deze code is onjuist of al gebruikt" in response.content.decode()
    assert not TOTPDevice.objects.get(user=consulent).confirmed
    assert "_auth_user_id" not in client.session


def test_enrolled_user_is_asked_for_a_code(client, consulent):
    ensure_totp(consulent)
    assert _password(client, consulent).url == "/inloggen/code/"
    assert "_auth_user_id" not in client.session
    response = client.post("/inloggen/code/", {"code": totp_code(consulent)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(consulent.pk)
    login = AuditRecord.objects.get(user_id=consulent.pk, actie=Actie.LOGIN)
    assert login.uitkomst == Uitkomst.ALLOWED


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_wrong_codes_are_audited_and_lock_the_account(client, consulent):
    ensure_totp(consulent)
    _password(client, consulent)
    for _ in range(3):
        response = client.post("/inloggen/code/", {"code": "000000"})
        assert "Deze code is onjuist of al gebruikt" in response.content.decode()
    failures = AuditRecord.objects.filter(
        user_id=consulent.pk, actie=Actie.LOGIN_FAILURE, reden="onjuiste tweede factor"
    )
    assert failures.count() == 3
    response = client.post("/inloggen/code/", {"code": totp_code(consulent)}, follow=True)
    assert "Te veel mislukte pogingen" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_used_totp_code_is_refused_the_second_time(client, consulent):
    ensure_totp(consulent)
    code = totp_code(consulent)
    _password(client, consulent)
    client.post("/inloggen/code/", {"code": code})
    client.post("/uitloggen/")
    _password(client, consulent)
    response = client.post("/inloggen/code/", {"code": code})
    assert "Deze code is onjuist of al gebruikt" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_logs_in_once(client, consulent):
    from toegang.identity.mfa import recovery_codes_regenerate

    ensure_totp(consulent)
    code = recovery_codes_regenerate(user=consulent)[0]
    _password(client, consulent)
    assert client.post("/inloggen/code/", {"code": code}).status_code == 302
    client.post("/uitloggen/")
    _password(client, consulent)
    assert "Deze code is onjuist" in client.post("/inloggen/code/", {"code": code}).content.decode()


def test_melder_logs_in_with_a_password_when_the_organisation_does_not_require_mfa(
    client, make_user
):
    melder = make_user(Rol.MELDER)
    response = _password(client, melder)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(melder.pk)
    assert client.get("/signalen/nieuw/").status_code == 200


def test_melder_of_an_organisation_requiring_mfa_must_enrol(client, make_user):
    melder = make_user(Rol.MELDER, organisatie=OrganisatieFactory(mfa_verplicht=True))
    assert _password(client, melder).url == "/inloggen/instellen/"
    assert "_auth_user_id" not in client.session


def test_melder_who_enrolled_voluntarily_is_asked_for_the_code(client, make_user):
    melder = make_user(Rol.MELDER)
    ensure_totp(melder)
    assert _password(client, melder).url == "/inloggen/code/"


@pytest.mark.parametrize("rol", STAFF)
def test_a_session_without_second_factor_reaches_no_page_or_api(client, make_user, rol):
    user = make_user(rol)
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 302
    assert page.url.startswith("/inloggen/")
    client.force_login(user)
    api = client.get("/api/v1/casussen/")
    assert api.status_code == 401
    assert api["Content-Type"] == "application/problem+json"
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_the_app_login(client, db):
    response = client.get("/beheer/login/?next=/beheer/toegang/user/")
    assert response.status_code == 302
    assert response.url == "/inloggen/?next=%2Fbeheer%2Ftoegang%2Fuser%2F"
    assert client.get("/beheer/").url.startswith("/beheer/login/")


def test_a_logged_in_user_without_admin_rights_gets_403_not_a_redirect_loop(client, make_user):
    verified_login(client, make_user(Rol.CONSULENT))
    assert client.get("/beheer/").url.startswith("/beheer/login/")
    response = client.get("/beheer/login/?next=/beheer/")
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_admin_has_the_same_lockout(client, make_user):
    beheerder = make_user(Rol.BEHEERDER, is_staff=True)
    for _ in range(3):
        _password(client, beheerder, password="fout")
    response = _password(client, beheerder)
    assert "Te veel mislukte pogingen" in response.content.decode()
    assert AuditRecord.objects.filter(user_id=beheerder.pk, actie=Actie.LOGIN_FAILURE).count() == 4


def test_beheerder_resets_a_colleagues_factors_audited_and_told(
    client, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    from django.test import Client

    beheerder = make_user(Rol.BEHEERDER, is_staff=True)
    collega = make_user(Rol.CONSULENT, email="collega@gemeente.example")
    collega_client = log_in(Client(), collega)
    verified_login(client, beheerder)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/beheer/toegang/user/",
            {"action": "reset_second_factor", "_selected_action": [collega.pk]},
        )
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["collega@gemeente.example"]
    assert "uw tweede factor is opnieuw ingesteld" in mail.subject
    assert "Hebt u hier niet om gevraagd?" in mail.body
    assert not TOTPDevice.objects.filter(user=collega).exists()
    assert AuditRecord.objects.filter(
        user_id=beheerder.pk, object_id=str(collega.pk), reden="tweede factor opnieuw ingesteld"
    ).exists()
    assert collega_client.get("/casussen/").status_code == 302  # their session ended

    fresh = Client()
    assert _password(fresh, collega).url == "/inloggen/instellen/"
    assert "opnieuw ingesteld" in fresh.get("/inloggen/instellen/").content.decode()
    device = TOTPDevice.objects.get(user=collega)
    url = fresh.post("/inloggen/instellen/", {"code": _code_of(device)}).url
    page = fresh.get(url).content.decode()
    assert "Een beheerder heeft uw tweede factor opnieuw ingesteld" in page
    assert not User.objects.get(pk=collega.pk).mfa_reset_melding


def test_totp_code_command_prints_a_code_that_logs_in(client, consulent):
    ensure_totp(consulent)
    out = StringIO()
    call_command("totp_code", consulent.username, stdout=out)
    _password(client, consulent)
    assert client.post("/inloggen/code/", {"code": out.getvalue().strip()}).status_code == 302


def test_demo_prints_a_totp_secret_beside_each_staff_login(db):
    out = StringIO()
    call_command("demo", stdout=out)
    for user in demo.USERS:
        line = next(x for x in out.getvalue().splitlines() if x.strip().startswith(user.username))
        if user.rol == Rol.MELDER:
            assert "geen tweede factor nodig" in line
        else:
            secret = line.rsplit(" ", 1)[-1]
            device = TOTPDevice.objects.get(user__username=user.username, confirmed=True)
            assert secret == demo.mfa.secret_base32(device)


@override_settings(DEMO_MODE=False)
def test_production_never_gets_known_secrets(db):
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError

    with pytest.raises(ImproperlyConfigured):
        demo.enrol_totp()
    with pytest.raises(CommandError):
        call_command("totp_code", "consulent", stdout=StringIO())
