"""Who may do what in the plan: the casus's permission, betrokkenen, foreign parents."""

from __future__ import annotations

import pytest

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import Actie as AuditActie
from audit.models import AuditRecord, Uitkomst
from casussen.plan import services
from casussen.plan.models import Actie, Doel, Meting
from toegang.roles import Rol

pytestmark = pytest.mark.django_db


def url(name: str, casus, *args) -> str:
    return reverse(f"casussen:plan:{name}", args=[casus.pk, *args])


def test_a_betrokkene_with_write_access_updates_own_actions_only(
    casus, doel, make_actie, make_betrokkene, login
):
    betrokkene = make_betrokkene(schrijfrecht=True)
    eigen = make_actie(doel, trede=2, eigenaar_soort="partnerorganisatie", eigenaar=betrokkene)
    ander = make_actie(doel, trede=1)
    client = login(betrokkene)
    response = client.post(url("actie_status", casus, eigen.pk), {"status": "bezig"})
    assert response.status_code == 302
    eigen.refresh_from_db()
    assert eigen.status == "bezig"
    refused = client.post(url("actie_status", casus, ander.pk), {"status": "klaar"})
    assert refused.status_code == 403
    ander.refresh_from_db()
    assert ander.status == "open"
    assert AuditRecord.objects.filter(
        actie=AuditActie.DENY, uitkomst=Uitkomst.DENIED, object_id=str(ander.pk)
    ).exists()


def test_a_betrokkene_sees_the_same_plan_with_a_status_form_for_own_actions(
    casus, doel, make_actie, make_betrokkene, login
):
    betrokkene = make_betrokkene(schrijfrecht=True)
    eigen = make_actie(doel, trede=2, eigenaar_soort="partnerorganisatie", eigenaar=betrokkene)
    ander = make_actie(doel, trede=1)
    html = login(betrokkene).get(url("plan", casus)).content.decode()
    assert "Ik wil weer rust in mijn hoofd over geld" in html
    assert url("actie_status", casus, eigen.pk) in html
    assert url("actie_status", casus, ander.pk) not in html


def test_a_betrokkene_without_write_access_reads_but_cannot_change(
    casus, doel, make_actie, make_betrokkene, login
):
    betrokkene = make_betrokkene(schrijfrecht=False)
    actie = make_actie(doel, trede=1, eigenaar_soort="partnerorganisatie", eigenaar=betrokkene)
    client = login(betrokkene)
    assert client.get(url("plan", casus)).status_code == 200
    assert client.get(url("fragment", casus)).status_code == 200
    assert client.post(url("actie_status", casus, actie.pk), {"status": "klaar"}).status_code == 403
    assert client.get(url("doel_nieuw", casus)).status_code == 403
    assert client.post(url("uitvraag", casus), {}).status_code == 403
    actie.refresh_from_db()
    assert actie.status == "open"
    assert AuditRecord.objects.filter(actie=AuditActie.DENY, user_id=betrokkene.pk).count() == 3


def test_the_service_refuses_a_betrokkene_changing_anothers_action(
    casus, doel, make_actie, make_betrokkene
):
    betrokkene = make_betrokkene(schrijfrecht=True)
    actie = make_actie(doel, trede=1)
    with pytest.raises(PermissionDenied):
        services.actie_status_set(actie=actie, casus=casus, by=betrokkene, status="klaar")
    actie.refresh_from_db()
    assert actie.status == "open"


PAGES = [
    ("plan", ()),
    ("fragment", ()),
    ("uitvraag", ()),
    ("evaluatie", ()),
    ("versies", ()),
    ("afdrukken", ()),
    ("pdf", ()),
    ("doel_nieuw", ()),
    ("vaststellen", ()),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_without_access_every_plan_page_is_not_found(
    casus, plan, doel, make_user, login, name, args
):
    stranger = make_user(Rol.CONSULENT)
    assert login(stranger).get(url(name, casus, *args)).status_code == 404


def test_model_level_permissions_open_nothing(casus, plan, doel, make_user, login):
    """Guardian's trap: a global view/change permission must not open any plan."""
    user = make_user(Rol.CONSULENT)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_casus", "change_casus", "view_plan", "change_plan"]
        )
    )
    client = login(user)
    assert client.get(url("plan", casus)).status_code == 404
    assert client.post(url("doel_nieuw", casus), {"tekst": "x"}).status_code == 404
    assert Doel.objects.count() == 1


def test_an_item_of_another_huishouden_is_not_found_under_my_casus(
    casus, doel, make_actie, make_casus, consulent, login
):
    other = make_casus(consulent)
    other_plan = services.plan_create(casus=other, startdatum=doel.plan.startdatum, by=consulent)
    other_doel = services.doel_add(
        plan=other_plan,
        casus=other,
        by=consulent,
        tekst="Ander doel",
        dimensies=["meedoen"],
        gezinsleden=[other.huishouden.gezinsleden.first().pk],
    )
    other_actie = services.actie_add(
        doel=other_doel,
        casus=other,
        by=consulent,
        omschrijving="x",
        eigenaar_soort="inwoner",
        deadline=other_plan.startdatum,
        trede=1,
    )
    client = login(consulent)
    assert (
        client.post(url("actie_status", casus, other_actie.pk), {"status": "klaar"}).status_code
        == 404
    )
    assert client.get(url("actie_nieuw", casus, other_doel.pk)).status_code == 404
    from django.http import Http404

    with pytest.raises(Http404):
        services.doel_update(doel=other_doel, casus=casus, by=consulent, tekst="Kaping")
    other_actie.refresh_from_db()
    assert other_actie.status == "open"


def test_a_melder_gets_no_plan_pages(casus, make_user, login):
    melder = make_user(Rol.MELDER)
    assert login(melder).get(url("plan", casus)).status_code == 403
    assert not Meting.objects.exists() and not Actie.objects.exists()
