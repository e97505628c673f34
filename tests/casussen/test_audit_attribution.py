"""Whose record is it? The system's actions name who set them off; lists and refusals
name the residents, so each resident's inzageverzoek shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.utils import timezone

from audit import inzage
from audit.models import Actie, AuditRecord, Uitkomst
from audit.subjects import Subject
from casussen.models import Betrokkene, Noodtoegang
from casussen.services.betrokkenen import access_expire, betrokkene_add, noodtoegang_start
from tests.auth import verified_login

pytestmark = pytest.mark.django_db


def _report_ids(huishouden_id) -> set[int]:
    subject = Subject(huishouden_ids=(str(huishouden_id),), persoon_ids=())
    return {regel.id for regel in inzage.regels(subject)}


def test_an_expired_betrokkene_is_ended_by_the_system_set_off_by_its_grantor(
    casus, consulent, collega
):
    betrokkene = betrokkene_add(
        casus=casus,
        user=collega,
        by=consulent,
        reden="Schuldhulpverlening",
        eind_datum=timezone.localdate() + timedelta(days=3),
    )
    Betrokkene.objects.filter(pk=betrokkene.pk).update(
        eind_datum=timezone.localdate() - timedelta(days=1)
    )
    assert access_expire() == 1

    rec = AuditRecord.objects.filter(object_id=str(casus.pk)).latest("id")
    assert (rec.user_id, rec.username, rec.rol) == (None, "systeem", "")
    assert (rec.trigger_user_id, rec.trigger_username) == (consulent.pk, consulent.username)
    assert rec.velden == ["betrokkenen"] and rec.huishouden_id == casus.huishouden_id


def test_an_expired_noodtoegang_is_ended_by_the_system_set_off_by_its_user(casus, collega):
    grant = noodtoegang_start(casus_id=casus.pk, reden="Acuut", by=collega)
    Noodtoegang.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert access_expire() == 1

    rec = AuditRecord.objects.filter(object_id=str(casus.pk), velden=["noodtoegang"]).latest("id")
    assert (rec.user_id, rec.username) == (None, "systeem")
    assert rec.trigger_user_id == collega.pk and rec.noodtoegang


def test_the_api_list_names_every_household_it_showed_and_reaches_their_reports(
    client, make_casus, consulent
):
    eerste, tweede = make_casus(consulent), make_casus(consulent)
    verified_login(client, consulent)
    assert client.get("/api/v1/casussen").status_code == 200

    rec = AuditRecord.objects.filter(actie=Actie.READ, user_id=consulent.pk).latest("id")
    assert sorted(rec.huishouden_ids) == sorted(
        [str(eerste.huishouden_id), str(tweede.huishouden_id)]
    )
    assert rec.pk in _report_ids(eerste.huishouden_id)
    assert rec.pk in _report_ids(tweede.huishouden_id)


def test_the_mijn_casussen_page_names_the_households_it_showed(client, casus, consulent):
    verified_login(client, consulent)
    assert client.get("/casussen/").status_code == 200

    rec = AuditRecord.objects.filter(actie=Actie.READ, user_id=consulent.pk).latest("id")
    assert rec.huishouden_ids == [str(casus.huishouden_id)]
    assert rec.pk in _report_ids(casus.huishouden_id)


def test_a_refused_casus_is_in_its_residents_report(client, casus, collega):
    verified_login(client, collega)
    assert client.get(f"/casussen/{casus.pk}/").status_code == 404

    rec = AuditRecord.objects.get(user_id=collega.pk, uitkomst=Uitkomst.DENIED)
    assert rec.huishouden_id == casus.huishouden_id
    assert rec.pk in _report_ids(casus.huishouden_id)


def test_a_refused_casus_through_the_api_is_in_its_residents_report(client, casus, collega):
    verified_login(client, collega)
    assert client.get(f"/api/v1/casussen/{casus.pk}").status_code == 404

    rec = AuditRecord.objects.get(user_id=collega.pk, uitkomst=Uitkomst.DENIED)
    assert rec.huishouden_id == casus.huishouden_id
