from __future__ import annotations

import pytest

from django.core.cache import cache
from django.test import override_settings

from audit.models import Actie, AuditRecord, Uitkomst
from tests.auth import log_in, verified_login
from tests.toegang.factories import PASSWORD
from toegang.roles import HOME_URL_NAME, Rol

HOME_PATHS = {
    Rol.CONSULENT: "/casussen/",
    Rol.TEAMLEIDER: "/signalen/aanmeldingen/",
    Rol.MELDER: "/signalen/nieuw/",
    Rol.PRIVACY_OFFICER: "/audit/",
    Rol.BELEIDSADVISEUR: "/monitor/",
    Rol.BEHEERDER: "/beheer/",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_every_role_has_a_home_page():
    assert set(HOME_URL_NAME) == set(Rol.values) == set(HOME_PATHS)


@pytest.mark.parametrize("rol", list(HOME_PATHS))
def test_login_lands_each_role_on_its_home_page(client, make_user, rol):
    user = make_user(rol, is_staff=rol == Rol.BEHEERDER)
    response = log_in(client, user).get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == HOME_PATHS[rol]
    assert AuditRecord.objects.filter(user_id=user.pk, actie=Actie.LOGIN).count() == 1


def test_login_page_is_dutch_and_labelled(client, db):
    html = client.get("/inloggen/").content.decode()
    assert '<html lang="nl">' in html
    assert '<label for="id_username">Gebruikersnaam' in html
    assert '<label for="id_password">Wachtwoord' in html
    assert '<main id="inhoud"' in html


def test_wrong_password_and_unknown_user_get_the_same_dutch_message(client, consulent):
    wrong = client.post("/inloggen/", {"username": consulent.username, "password": "fout"})
    unknown = client.post("/inloggen/", {"username": "bestaat-niet", "password": "fout"})
    message = "De combinatie van gebruikersnaam en wachtwoord is onjuist."
    assert wrong.status_code == unknown.status_code == 200
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()
    failures = AuditRecord.objects.filter(actie=Actie.LOGIN_FAILURE, uitkomst=Uitkomst.DENIED)
    assert failures.count() == 2
    assert failures.filter(user_id=consulent.pk).count() == 1


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_even_with_the_right_password(client, consulent):
    for _ in range(3):
        client.post("/inloggen/", {"username": consulent.username, "password": "fout"})
    response = client.post("/inloggen/", {"username": consulent.username, "password": PASSWORD})
    assert "Te veel mislukte pogingen" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_locked_account_does_not_lock_a_colleague_on_the_same_ip(client, make_user):
    locked, colleague = make_user(Rol.CONSULENT), make_user(Rol.CONSULENT)
    for _ in range(6):
        client.post("/inloggen/", {"username": locked.username, "password": "fout"})
    log_in(client, colleague)
    assert client.session["_auth_user_id"] == str(colleague.pk)


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_login_resets_the_account_counter(client, consulent):
    for _ in range(2):
        client.post("/inloggen/", {"username": consulent.username, "password": "fout"})
    log_in(client, consulent)
    client.post("/uitloggen/")
    for _ in range(2):
        client.post("/inloggen/", {"username": consulent.username, "password": "fout"})
    log_in(client, consulent)
    assert client.session["_auth_user_id"] == str(consulent.pk)


@override_settings(LOGIN_IP_FAILURE_LIMIT=3)
def test_spraying_many_accounts_locks_the_ip_for_accounts_new_there(client, make_user):
    known, new = make_user(Rol.CONSULENT), make_user(Rol.CONSULENT)
    log_in(client, known)
    client.post("/uitloggen/")
    for n in range(3):
        client.post("/inloggen/", {"username": f"geraden{n}", "password": "fout"})
    refused = client.post("/inloggen/", {"username": new.username, "password": PASSWORD})
    assert "Te veel mislukte pogingen" in refused.content.decode()
    log_in(client, known)
    assert client.session["_auth_user_id"] == str(known.pk)


@override_settings(LOGIN_IP_FAILURE_LIMIT=3)
def test_the_ip_lock_follows_the_client_address(client, make_user):
    user = make_user(Rol.CONSULENT)
    for n in range(3):
        client.post(
            "/inloggen/", {"username": f"geraden{n}", "password": "fout"}, REMOTE_ADDR="192.0.2.7"
        )
    response = client.post(
        "/inloggen/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.8"
    )
    assert response.status_code == 302


def test_logout_ends_the_session_and_is_audited(client, consulent):
    verified_login(client, consulent)
    response = client.post("/uitloggen/")
    assert response.status_code == 302
    assert client.get("/casussen/").status_code == 302
    assert AuditRecord.objects.filter(user_id=consulent.pk, actie=Actie.LOGOUT).exists()


def test_api_client_account_cannot_log_in_on_the_web(client, make_user):
    user = make_user(Rol.MELDER, is_api_client=True)
    user.set_password(PASSWORD)
    user.save()
    client.post("/inloggen/", {"username": user.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("rol", "path"),
    [
        (Rol.MELDER, "/casussen/"),
        (Rol.CONSULENT, "/audit/"),
        (Rol.PRIVACY_OFFICER, "/signalen/nieuw/"),
        (Rol.BELEIDSADVISEUR, "/signalen/aanmeldingen/"),
    ],
)
def test_pages_of_another_role_are_refused_in_dutch(client, make_user, rol, path):
    verified_login(client, make_user(rol))
    response = client.get(path)
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


def test_beheerder_manages_organisations_users_and_tokens_in_the_admin(client, make_user):
    verified_login(client, make_user(Rol.BEHEERDER, is_staff=True))
    index = client.get("/beheer/").content.decode()
    models = ("organisatie", "user", "apitoken")
    for path in (f"/beheer/toegang/{model}/" for model in models):
        assert path in index
        assert client.get(path).status_code == 200
