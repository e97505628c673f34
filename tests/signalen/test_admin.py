"""Beheer of partner API clients in the admin: create, rotate, revoke, own rate limit."""

from __future__ import annotations

import re

import pytest

from audit.models import AuditRecord
from signalen.models import PartnerClient
from signalen.throttles import client_rate
from toegang.models import ApiToken, User
from toegang.roles import Rol

ADMIN = "/beheer/signalen/partnerclient/"


@pytest.fixture
def beheerder(make_user):
    return make_user(Rol.BEHEERDER, is_staff=True, is_superuser=True)


def _token_from_messages(response) -> str:
    text = " ".join(str(m) for m in response.context["messages"])
    match = re.search(r"(bt_[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


def test_the_beheerder_creates_a_client_and_sees_its_token_once(login, beheerder, praktijk):
    client = login(beheerder)
    response = client.post(
        f"{ADMIN}add/",
        {
            "username": "his-het-dorp",
            "organisatie": praktijk.pk,
            "omschrijving": "HIS",
            "rate_limit": "30/min",
        },
        follow=True,
    )

    assert response.status_code == 200
    token = _token_from_messages(response)
    partner = PartnerClient.objects.get()
    user = partner.user
    assert (user.rol, user.organisatie, user.is_api_client) == (Rol.MELDER, praktijk, True)
    assert not user.has_usable_password()
    assert partner.rate_limit == "30/min"
    assert token not in str(list(ApiToken.objects.values()))
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.json()["organisatie"] == praktijk.naam
    assert AuditRecord.objects.filter(object_type="partner_client").exists()
    # shown once: the change page does not show it again
    assert token not in client.get(f"{ADMIN}{partner.pk}/change/").content.decode()


def test_a_client_cannot_belong_to_the_gemeente_or_reuse_a_name(
    login, beheerder, gemeente, praktijk
):
    client = login(beheerder)
    response = client.post(f"{ADMIN}add/", {"username": "x-gemeente", "organisatie": gemeente.pk})
    assert response.status_code == 200 and not PartnerClient.objects.exists()
    response = client.post(
        f"{ADMIN}add/", {"username": beheerder.username, "organisatie": praktijk.pk}
    )
    assert "al in gebruik" in response.content.decode()
    response = client.post(
        f"{ADMIN}add/", {"username": "x", "organisatie": praktijk.pk, "rate_limit": "veel"}
    )
    assert "60/min" in response.content.decode()
    assert not PartnerClient.objects.exists()


def test_rotating_revokes_the_old_token_and_shows_a_new_one(login, beheerder, huisarts_api):
    partner = huisarts_api.partner
    assert huisarts_api.get("/api/v1/signalen").status_code == 200
    response = login(beheerder).post(
        ADMIN, {"action": "rotate_tokens", "_selected_action": [partner.pk]}, follow=True
    )
    new = _token_from_messages(response)
    assert huisarts_api.get("/api/v1/signalen").status_code == 401
    huisarts_api.credentials(HTTP_AUTHORIZATION=f"Bearer {new}")
    assert huisarts_api.get("/api/v1/signalen").status_code == 200


def test_revoking_locks_the_partner_system_out(login, beheerder, huisarts_api):
    partner = huisarts_api.partner
    login(beheerder).post(ADMIN, {"action": "revoke_tokens", "_selected_action": [partner.pk]})
    assert huisarts_api.get("/api/v1/signalen").status_code == 401
    assert not ApiToken.objects.filter(user=partner.user, revoked_at__isnull=True).exists()


def test_changing_the_rate_limit_takes_effect_at_once(login, beheerder, huisarts_api):
    partner = huisarts_api.partner
    assert client_rate(partner.user_id) == ""
    login(beheerder).post(
        f"{ADMIN}{partner.pk}/change/", {"omschrijving": "HIS", "rate_limit": "1/day"}
    )
    partner.refresh_from_db()
    assert partner.rate_limit == "1/day"
    codes = [huisarts_api.get("/api/v1/signalen").status_code for _ in range(2)]
    assert codes == [200, 429]


def test_signals_are_not_in_the_admin(login, beheerder):
    assert login(beheerder).get("/beheer/signalen/signaal/").status_code == 404
    assert User.objects.filter(pk=beheerder.pk).exists()
