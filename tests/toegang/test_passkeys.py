"""Passkeys (WebAuthn) as a second factor: add, log in instead of TOTP, remove; and
what an attacker tries: replayed, cloned, foreign-origin or forged answers."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from django.core.cache import cache
from django.test import Client, override_settings

from audit.models import Actie, AuditRecord, Uitkomst
from tests.auth import verified_login
from tests.toegang.factories import PASSWORD, OrganisatieFactory
from tests.toegang.softauthn import SoftAuthenticator
from toegang.identity import mfa
from toegang.models import PasskeyDevice
from toegang.roles import Rol

STAFF = [Rol.CONSULENT, Rol.TEAMLEIDER, Rol.PRIVACY_OFFICER, Rol.BELEIDSADVISEUR, Rol.BEHEERDER]
WRONG_PASSKEY = "Deze passkey is niet geaccepteerd"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _add_passkey(client: Client, authenticator: SoftAuthenticator, naam: str = "laptop"):
    options = client.get("/account/").context["passkey_opties"]
    return client.post(
        "/account/passkeys/", {"naam": naam, "credential": authenticator.register(options)}
    )


def _enrolled(user, *, totp: bool = True) -> SoftAuthenticator:
    """A user with a passkey (added through the account page) and, unless not, TOTP."""
    authenticator = SoftAuthenticator()
    client = verified_login(Client(), user)
    assert _add_passkey(client, authenticator).status_code == 302
    if not totp:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user=user).delete()
    return authenticator


def _to_code_step(client: Client, user) -> dict:
    response = client.post("/inloggen/", {"username": user.username, "password": PASSWORD})
    assert response.url == "/inloggen/code/"
    return client.get("/inloggen/code/").context["passkey_opties"]


def _failures(user, reden_part: str) -> int:
    return AuditRecord.objects.filter(
        user_id=user.pk, actie=Actie.LOGIN_FAILURE, reden__contains=reden_part
    ).count()


def test_adding_a_passkey_on_the_account_page_is_audited(client, make_user):
    user = make_user(Rol.CONSULENT)
    verified_login(client, user)
    assert "U hebt nog geen passkey" in client.get("/account/").content.decode()

    response = _add_passkey(client, SoftAuthenticator(), naam="laptop werk")
    assert response.status_code == 302
    device = PasskeyDevice.objects.get(user=user)
    assert device.name == "laptop werk" and device.confirmed
    assert AuditRecord.objects.filter(
        user_id=user.pk,
        actie=Actie.CREATE,
        object_id=device.persistent_id,
        reden="passkey toegevoegd",
    ).exists()
    page = client.get("/account/").content.decode()
    assert "laptop werk" in page and "Passkey laptop werk verwijderen" in page


def test_a_registration_answer_for_another_origin_is_refused_in_dutch(client, make_user):
    user = make_user(Rol.CONSULENT)
    verified_login(client, user)
    options = client.get("/account/").context["passkey_opties"]
    credential = SoftAuthenticator().register(options, origin="https://phishing.example")
    response = client.post("/account/passkeys/", {"naam": "x", "credential": credential})
    assert response.status_code == 200
    assert "De passkey is niet toegevoegd" in response.content.decode()
    assert not PasskeyDevice.objects.filter(user=user).exists()
    assert AuditRecord.objects.filter(
        user_id=user.pk, uitkomst=Uitkomst.DENIED, reden__startswith="passkey niet geregistreerd"
    ).exists()


@pytest.mark.parametrize("rol", STAFF)
def test_every_staff_role_logs_in_with_a_passkey_instead_of_a_code(client, make_user, rol):
    user = make_user(rol)
    authenticator = _enrolled(user)
    options = _to_code_step(client, user)
    assert [c["id"] for c in options["allowCredentials"]]  # only the user's own passkeys
    response = client.post("/inloggen/code/", {"credential": authenticator.sign(options)})
    assert response.status_code == 302
    device = PasskeyDevice.objects.get(user=user)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert mfa.session_verified(client.session)
    assert device.sign_count == 1 and device.last_used_at is not None
    assert AuditRecord.objects.filter(user_id=user.pk, actie=Actie.LOGIN).exists()


def test_a_user_with_only_a_passkey_goes_to_the_passkey_step_not_to_enrolment(client, make_user):
    user = make_user(Rol.CONSULENT)
    authenticator = _enrolled(user, totp=False)
    options = _to_code_step(client, user)
    page = client.get("/inloggen/code/").content.decode()
    assert "Inloggen met passkey" in page and "Passkey kwijt?" in page
    options = client.get("/inloggen/code/").context["passkey_opties"]
    assert (
        client.post("/inloggen/code/", {"credential": authenticator.sign(options)}).status_code
        == 302
    )


def test_a_replayed_assertion_is_refused_and_audited(client, make_user):
    user = make_user(Rol.CONSULENT)
    authenticator = _enrolled(user)
    answer = authenticator.sign(_to_code_step(client, user))
    assert client.post("/inloggen/code/", {"credential": answer}).status_code == 302

    attacker = Client()
    _to_code_step(attacker, user)
    response = attacker.post("/inloggen/code/", {"credential": answer})
    assert response.status_code == 200
    assert WRONG_PASSKEY in response.content.decode()
    assert "_auth_user_id" not in attacker.session
    assert _failures(user, "challenge") == 1


def test_a_sign_count_that_does_not_rise_is_refused(client, make_user):
    """A cloned authenticator answers with an old count: refused, audited."""
    user = make_user(Rol.CONSULENT)
    authenticator = _enrolled(user)
    options = _to_code_step(client, user)
    assert (
        client.post("/inloggen/code/", {"credential": authenticator.sign(options)}).status_code
        == 302
    )

    clone = Client()
    options = _to_code_step(clone, user)
    response = clone.post(
        "/inloggen/code/", {"credential": authenticator.sign(options, sign_count=1)}
    )
    assert WRONG_PASSKEY in response.content.decode()
    assert "_auth_user_id" not in clone.session
    assert _failures(user, "sign count") == 1
    assert PasskeyDevice.objects.get(user=user).sign_count == 1


@pytest.mark.parametrize(
    ("bend", "reden_part"),
    [
        ({"origin": "https://phishing.example"}, "origin"),
        ({"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "challenge"),
        ({"key": "other"}, "signature"),
    ],
)
def test_an_assertion_for_another_origin_challenge_or_key_is_refused(
    client, make_user, bend, reden_part
):
    from cryptography.hazmat.primitives.asymmetric import ec

    user = make_user(Rol.TEAMLEIDER)
    authenticator = _enrolled(user)
    options = _to_code_step(client, user)
    if bend.get("key") == "other":
        bend = {"key": ec.generate_private_key(ec.SECP256R1())}
    response = client.post("/inloggen/code/", {"credential": authenticator.sign(options, **bend)})
    assert response.status_code == 200
    assert WRONG_PASSKEY in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _failures(user, reden_part) == 1


def test_another_users_passkey_is_refused(client, make_user):
    user = make_user(Rol.CONSULENT)
    _enrolled(user)
    other = _enrolled(make_user(Rol.CONSULENT))
    options = _to_code_step(client, user)
    response = client.post("/inloggen/code/", {"credential": other.sign(options)})
    assert WRONG_PASSKEY in response.content.decode()
    assert _failures(user, "onbekende passkey") == 1


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_wrong_passkeys_count_toward_the_same_lockout_as_wrong_codes(client, make_user):
    user = make_user(Rol.CONSULENT)
    authenticator = _enrolled(user)
    options = _to_code_step(client, user)
    for _ in range(3):
        client.post(
            "/inloggen/code/",
            {"credential": authenticator.sign(options, origin="https://x.example")},
        )
        options = client.get("/inloggen/code/").context["passkey_opties"]
    response = client.post(
        "/inloggen/code/", {"credential": authenticator.sign(options)}, follow=True
    )
    assert "Te veel mislukte pogingen" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _failures(user, "geblokkeerd") == 1


def test_removing_a_passkey_is_audited_and_only_ones_own(client, make_user):
    user = make_user(Rol.CONSULENT)
    _enrolled(user)
    device = PasskeyDevice.objects.get(user=user)
    other = make_user(Rol.CONSULENT)
    _enrolled(other)
    foreign = PasskeyDevice.objects.get(user=other)

    verified_login(client, user)
    assert client.post(f"/account/passkeys/{foreign.pk}/verwijderen/").status_code == 404
    assert PasskeyDevice.objects.filter(pk=foreign.pk).exists()
    response = client.post(f"/account/passkeys/{device.pk}/verwijderen/", follow=True)
    assert "De passkey is verwijderd" in response.content.decode()
    assert not PasskeyDevice.objects.filter(pk=device.pk).exists()
    assert AuditRecord.objects.filter(
        user_id=user.pk,
        actie=Actie.DELETE,
        object_id=device.persistent_id,
        reden="passkey verwijderd",
    ).exists()


def test_the_last_factor_of_a_staff_member_cannot_be_removed(client, make_user):
    user = make_user(Rol.CONSULENT)
    _enrolled(user, totp=False)
    device = PasskeyDevice.objects.get(user=user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.post(f"/account/passkeys/{device.pk}/verwijderen/", follow=True)
    assert "uw enige tweede factor" in response.content.decode()
    assert PasskeyDevice.objects.filter(pk=device.pk).exists()


def test_a_melder_may_add_a_passkey_and_is_then_asked_for_it(client, make_user):
    melder = make_user(Rol.MELDER, organisatie=OrganisatieFactory(mfa_verplicht=False))
    assert not mfa.second_factor_needed(melder)
    client.force_login(melder)
    authenticator = SoftAuthenticator()
    assert _add_passkey(client, authenticator).status_code == 302
    client.logout()
    assert mfa.second_factor_needed(melder)
    options = _to_code_step(client, melder)
    assert (
        client.post("/inloggen/code/", {"credential": authenticator.sign(options)}).status_code
        == 302
    )


def test_a_reset_by_a_beheerder_removes_passkeys_too(make_user):
    user = make_user(Rol.CONSULENT)
    _enrolled(user)
    mfa.mfa_reset(user=user, by=make_user(Rol.BEHEERDER))
    assert not PasskeyDevice.objects.filter(user=user).exists()
    assert not mfa.has_confirmed_factor(user)
