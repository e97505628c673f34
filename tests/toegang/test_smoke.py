from __future__ import annotations

from toegang.roles import Rol


def test_consulent_lands_on_mijn_casussen(consulent, login):
    response = login(consulent).get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/casussen/"
    assert "Mijn casussen" in response.content.decode()


def test_factory_user_has_exactly_its_role_group(make_user):
    user = make_user(Rol.PRIVACY_OFFICER)
    assert list(user.groups.values_list("name", flat=True)) == [Rol.PRIVACY_OFFICER]
