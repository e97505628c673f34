from __future__ import annotations

import uuid

import pytest

from django.test import RequestFactory

from audit.models import Actie, AuditRecord, Doel, Uitkomst
from audit.services import record
from tests.audit.helpers import assert_audited, assert_not_audited
from tests.toegang.factories import OrganisatieFactory
from toegang.roles import Rol


@pytest.fixture
def request_with_meta(rf: RequestFactory):
    request = rf.get("/casussen/x/", HTTP_USER_AGENT="Firefox/130", REMOTE_ADDR="10.1.2.3")
    request.request_id = "req-12345678"
    return request


@pytest.mark.parametrize("actie", Actie.values)
def test_record_holds_who_what_whose_why_where_and_outcome(make_user, request_with_meta, actie):
    org = OrganisatieFactory(naam="Gemeente Audit")
    user = make_user(Rol.CONSULENT, organisatie=org)
    huishouden, persoon = uuid.uuid4(), uuid.uuid4()
    uitkomst = Uitkomst.DENIED if actie == Actie.DENY else Uitkomst.ALLOWED
    rec = record(
        actor=user,
        actie=actie,
        doel=Doel.CASUSBEHANDELING,
        object_type="casus",
        object_id=huishouden,
        huishouden_id=huishouden,
        persoon_ids=[persoon],
        velden=["naam", "adres"],
        reden="",
        uitkomst=uitkomst,
        noodtoegang=actie == Actie.NOODTOEGANG,
        request=request_with_meta,
    )
    rec.refresh_from_db()
    assert rec.occurred_at is not None
    assert (rec.user_id, rec.username, rec.rol) == (user.pk, user.username, Rol.CONSULENT)
    assert (rec.organisatie_id, rec.organisatie_naam) == (org.pk, "Gemeente Audit")
    assert rec.huishouden_id == huishouden
    assert rec.persoon_ids == [str(persoon)]
    assert (rec.actie, rec.object_type, rec.object_id) == (actie, "casus", str(huishouden))
    assert rec.velden == ["naam", "adres"]
    assert rec.doel == Doel.CASUSBEHANDELING
    assert (rec.request_id, rec.ip_adres, rec.user_agent) == (
        "req-12345678",
        "10.1.2.3",
        "Firefox/130",
    )
    assert rec.uitkomst == uitkomst
    assert rec.noodtoegang is (actie == Actie.NOODTOEGANG)


def test_system_record_has_no_user(db):
    rec = record(actor=None, actie=Actie.KEY_ROTATION, doel=Doel.BEHEER, username="systeem")
    assert rec.user_id is None and rec.username == "systeem" and rec.organisatie_id is None


@pytest.mark.parametrize("bad", [{"actie": "peek"}, {"doel": "nieuwsgierigheid"}])
def test_unknown_action_or_purpose_is_refused(db, bad):
    kwargs = {"actor": None, "actie": Actie.READ, "doel": Doel.INTAKE, **bad}
    with pytest.raises(ValueError):
        record(**kwargs)
    assert not AuditRecord.objects.exists()


def test_audit_holds_no_foreign_keys_so_it_outlives_the_data():
    from audit.models import AuditReview, AuditSeal

    for model in (AuditRecord, AuditSeal, AuditReview):
        assert not [f for f in model._meta.get_fields() if f.is_relation]


def test_assert_audited_passes_on_a_matching_record(db):
    with assert_audited(actie=Actie.EXPORT, object_type="casus", object_ids=["a"]) as found:
        record(
            actor=None,
            actie=Actie.EXPORT,
            doel=Doel.AUDIT,
            object_type="casus",
            object_ids=["a", "b"],
        )
    assert len(found) == 1


def test_assert_audited_fails_when_nothing_matching_was_written(db):
    with (
        pytest.raises(pytest.fail.Exception, match="no audit record matching"),
        assert_audited(actie=Actie.READ, object_type="casus"),
    ):
        record(actor=None, actie=Actie.READ, doel=Doel.AUDIT, object_type="signaal")


def test_assert_not_audited_fails_on_a_record(db):
    with (
        pytest.raises(pytest.fail.Exception, match="unexpected audit records"),
        assert_not_audited(),
    ):
        record(actor=None, actie=Actie.READ, doel=Doel.AUDIT)
