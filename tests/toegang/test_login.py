from __future__ import annotations

import pytest

from django.core.cache import cache
from django.test import override_settings

from audit.models import Actie, AuditRecord, Uitkomst
from tests.toegang.factories import PASSWORD
from toegang.roles import HOME_URL_NAME, Rol

HOME_PATHS = {
    Rol.CONSULENT: "/casussen/",
    Rol.TEAMLEIDER: "/signalen/aanmeldingen/",
    Rol.MELDER: "/signalen/nieuw/",
    Rol.PRIVACY_OFFICER: "/audit/",
    Rol.BELEIDSADVISEUR: "/casussen/monitor/",
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
    response = client.post(
        "/inloggen/", {"username": user.username, "password": PASSWORD}, follow=True
    )
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
def test_failures_from_one_ip_lock_other_accounts_from_that_ip(client, make_user):
    target = make_user(Rol.CONSULENT)
    for n in range(3):
        client.post("/inloggen/", {"username": f"geraden{n}", "password": "fout"})
    response = client.post("/inloggen/", {"username": target.username, "password": PASSWORD})
    assert "Te veel mislukte pogingen" in response.content.decode()


def test_logout_ends_the_session_and_is_audited(client, consulent):
    client.force_login(consulent)
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
    client.force_login(make_user(rol))
    response = client.get(path)
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


def test_beheerder_manages_organisations_users_and_tokens_in_the_admin(client, make_user):
    client.force_login(make_user(Rol.BEHEERDER, is_staff=True))
    index = client.get("/beheer/").content.decode()
    models = ("organisatie", "user", "apitoken")
    for path in (f"/beheer/toegang/{model}/" for model in models):
        assert path in index
        assert client.get(path).status_code == 200
