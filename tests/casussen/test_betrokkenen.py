"""Betrokkenen, noodtoegang and the expiry job."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Actie, AuditRecord
from casussen.errors import CasusConflict
from casussen.models import Betrokkene, Casus, CasusUserObjectPermission, Noodtoegang
from casussen.selectors import casussen_for_user
from casussen.services.access import CHANGE, VIEW
from casussen.services.betrokkenen import (
    access_expire,
    betrokkene_add,
    betrokkene_revoke,
    noodtoegang_start,
)
from toegang import policy, worker
from toegang.roles import Rol

pytestmark = pytest.mark.django_db


def perms(user, casus) -> set[str]:
    return policy.codenames_of(CasusUserObjectPermission, user_id=user.pk, object_id=casus.pk)


def vandaag():
    return timezone.localdate()


def add(casus, user, by, **kwargs):
    kwargs.setdefault("reden", "Schuldhulpverlening")
    kwargs.setdefault("eind_datum", vandaag() + timedelta(days=30))
    return betrokkene_add(casus=casus, user=user, by=by, **kwargs)


def test_betrokkene_gets_view_only(casus, consulent, collega):
    betrokkene = add(casus, collega, consulent)
    assert perms(collega, casus) == {VIEW}
    assert betrokkene.reden == "Schuldhulpverlening"
    assert list(casussen_for_user(user=collega)) == [casus]
    assert not casussen_for_user(user=collega, need="change").exists()


def test_betrokkene_with_schrijfrecht_gets_change(casus, consulent, collega):
    add(casus, collega, consulent, schrijfrecht=True)
    assert perms(collega, casus) == {VIEW, CHANGE}


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "verleden"), (366, "een jaar")],
)
def test_end_date_in_the_past_or_over_a_year_is_refused(casus, consulent, collega, days, message):
    with pytest.raises(ValidationError, match=message):
        add(casus, collega, consulent, eind_datum=vandaag() + timedelta(days=days))
    assert not Betrokkene.objects.exists()
    assert perms(collega, casus) == set()


def test_end_date_today_and_a_year_ahead_are_fine(casus, consulent, collega, make_user):
    add(casus, collega, consulent, eind_datum=vandaag())
    add(casus, make_user(Rol.CONSULENT), consulent, eind_datum=vandaag() + timedelta(days=365))
    assert Betrokkene.objects.count() == 2


def test_betrokkene_needs_a_reason(casus, consulent, collega):
    with pytest.raises(ValidationError, match="reden"):
        add(casus, collega, consulent, reden="   ")
    assert perms(collega, casus) == set()


def test_only_the_aanspreekpunt_adds_betrokkenen(casus, collega, make_user):
    with pytest.raises(PermissionDenied):
        add(casus, make_user(Rol.CONSULENT), collega)


def test_a_melder_cannot_become_betrokkene(casus, consulent, make_user):
    with pytest.raises(ValidationError):
        add(casus, make_user(Rol.MELDER), consulent)


def test_the_same_betrokkene_twice_is_refused(casus, consulent, collega):
    add(casus, collega, consulent)
    with pytest.raises(CasusConflict):
        add(casus, collega, consulent)
    assert Betrokkene.objects.count() == 1


def test_revoke_ends_access_now(casus, consulent, collega):
    betrokkene = add(casus, collega, consulent)
    betrokkene_revoke(betrokkene=betrokkene, by=consulent)
    betrokkene.refresh_from_db()
    assert betrokkene.einde == Betrokkene.Einde.INGETROKKEN and betrokkene.revoked_at
    assert perms(collega, casus) == set()
    with pytest.raises(CasusConflict):
        betrokkene_revoke(betrokkene=betrokkene, by=consulent)


def test_expiry_job_ends_betrokkenen_past_their_end_date(casus, consulent, collega, make_user):
    blijft = make_user(Rol.CONSULENT)
    verloopt = add(casus, collega, consulent)
    add(casus, blijft, consulent, eind_datum=vandaag())
    Betrokkene.objects.filter(pk=verloopt.pk).update(eind_datum=vandaag() - timedelta(days=1))
    assert access_expire() == 1
    verloopt.refresh_from_db()
    assert verloopt.einde == Betrokkene.Einde.VERLOPEN
    assert perms(collega, casus) == set()
    assert perms(blijft, casus) == {VIEW}
    assert access_expire() == 0


def test_expiry_job_is_registered_with_the_worker():
    job = {j.name: j for j in worker.jobs()}["betrokkenen_expiry"]
    assert job.interval == 60


def test_access_from_two_sources_survives_the_end_of_one(casus, consulent, collega):
    betrokkene = add(casus, collega, consulent)
    from casussen.services.casus import casus_overdragen

    casus_overdragen(casus=casus, naar=collega, notitie="", by=consulent)
    betrokkene_revoke(betrokkene=betrokkene, by=collega)
    assert perms(collega, casus) == {VIEW, CHANGE}


def test_noodtoegang_needs_a_reason(casus, collega):
    with pytest.raises(ValidationError, match="reden"):
        noodtoegang_start(casus_id=casus.pk, reden="", by=collega)
    assert not Noodtoegang.objects.exists()
    assert perms(collega, casus) == set()


def test_noodtoegang_gives_view_for_hours_and_is_audited(casus, collega):
    grant = noodtoegang_start(casus_id=casus.pk, reden="Acute zorg, aanspreekpunt ziek", by=collega)
    assert perms(collega, casus) == {VIEW}
    assert timedelta(hours=1) <= grant.expires_at - grant.started_at <= timedelta(hours=12)
    record = AuditRecord.objects.get(actie=Actie.NOODTOEGANG)
    assert record.noodtoegang is True
    assert record.reden == "Acute zorg, aanspreekpunt ziek"
    assert record.object_id == str(casus.pk) and record.user_id == collega.pk


def test_noodtoegang_when_one_already_has_access_is_refused(casus, consulent):
    with pytest.raises(CasusConflict):
        noodtoegang_start(casus_id=casus.pk, reden="x", by=consulent)


def test_noodtoegang_only_for_consulenten(casus, make_user):
    with pytest.raises(PermissionDenied):
        noodtoegang_start(casus_id=casus.pk, reden="x", by=make_user(Rol.TEAMLEIDER))


def test_noodtoegang_on_an_unknown_casus_raises_not_found(collega):
    import uuid

    with pytest.raises(Casus.DoesNotExist):
        noodtoegang_start(casus_id=uuid.uuid4(), reden="x", by=collega)


def test_expiry_job_ends_noodtoegang(casus, collega):
    grant = noodtoegang_start(casus_id=casus.pk, reden="Acuut", by=collega)
    assert access_expire() == 0
    Noodtoegang.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert access_expire() == 1
    grant.refresh_from_db()
    assert grant.ended_at is not None
    assert perms(collega, casus) == set()
    assert not casussen_for_user(user=collega).exists()
