"""destroy_household: sealed rows go, the key is shredded, a tombstone stays."""

from __future__ import annotations

import pytest

from audit.models import Actie, AuditRecord
from casussen.models import Casus, Gezinslid, Huishouden, Noodtoegang, TimelineEntry
from casussen.services.betrokkenen import noodtoegang_start
from casussen.services.casus import timeline_add
from casussen.services.retention import (
    VernietigingGeweigerd,
    destroy_household,
    register_destroy_guard,
)
from signalen.models import Signaal
from signalen.services import signaal_receive
from tests.casussen.factories import make_huishouden
from tests.signalen import factories as signaal_factories
from toegang.crypto.models import DataKey
from toegang.events.models import OutboxEvent
from toegang.roles import Rol


@pytest.fixture
def melder(db):
    return signaal_factories.melder_of(signaal_factories.inloophuis())


def test_destroy_deletes_sealed_rows_shreds_the_key_and_leaves_a_tombstone(
    casus, consulent, melder
):
    signaal = signaal_receive(melder=melder, data=signaal_factories.body())
    Signaal.objects.filter(pk=signaal.pk).update(huishouden=casus.huishouden, casus=casus)
    timeline_add(casus=casus, soort="notitie", by=consulent, tekst="Een notitie")
    other, _ = make_huishouden()
    leden = list(casus.huishouden.gezinsleden.values_list("pk", flat=True))

    destroy_household(huishouden=casus.huishouden, by=consulent, reden="bewaartermijn verstreken")

    huishouden = Huishouden.objects.get(pk=casus.huishouden_id)
    assert huishouden.is_vernietigd
    assert DataKey.objects.get(pk=huishouden.data_key_id).is_destroyed
    assert not Gezinslid.objects.filter(huishouden=huishouden).exists()
    assert not Signaal.objects.filter(pk=signaal.pk).exists()
    assert not TimelineEntry.objects.filter(casus=casus).exists()
    assert Casus.objects.filter(pk=casus.pk).exists()  # no persons in it: stays as "vernietigd"
    tombstone = AuditRecord.objects.get(actie=Actie.SHRED, huishouden_id=huishouden.pk)
    assert tombstone.object_ids == [str(huishouden.data_key_id)]
    assert sorted(tombstone.persoon_ids) == sorted(str(p) for p in leden)
    assert "casussen.gezinslid" in tombstone.velden and "signalen.signaal" in tombstone.velden
    assert other.gezinsleden.get().achternaam  # another household still decrypts
    event = OutboxEvent.objects.get(event_type="huishouden.vernietigd")
    assert event.aggregate_id == str(huishouden.pk) and event.payload == {}


def test_destroy_twice_destroys_once(casus, consulent):
    destroy_household(huishouden=casus.huishouden, by=consulent, reden="x")
    destroy_household(huishouden=casus.huishouden_id, by=consulent, reden="x")
    assert AuditRecord.objects.filter(actie=Actie.SHRED).count() == 1


def test_destroy_refused_during_an_open_noodtoegang(casus, make_user):
    ander = make_user(Rol.CONSULENT)
    noodtoegang_start(casus_id=casus.pk, reden="crisis", by=ander)
    with pytest.raises(VernietigingGeweigerd, match="noodtoegang"):
        destroy_household(huishouden=casus.huishouden, by=None, reden="x")
    assert not Huishouden.objects.get(pk=casus.huishouden_id).is_vernietigd
    assert Gezinslid.objects.filter(huishouden=casus.huishouden_id).exists()
    Noodtoegang.objects.update(ended_at=casus.opened_at)
    destroy_household(huishouden=casus.huishouden, by=None, reden="x")
    assert Huishouden.objects.get(pk=casus.huishouden_id).is_vernietigd


def test_a_registered_guard_refuses_with_its_message(casus):
    def beperkt(huishouden):
        return "Beperking van de verwerking." if huishouden.pk == casus.huishouden_id else None

    register_destroy_guard(beperkt)
    try:
        with pytest.raises(VernietigingGeweigerd, match="Beperking"):
            destroy_household(huishouden=casus.huishouden, by=None, reden="x")
    finally:
        from casussen.services import retention

        retention._GUARDS.remove(beperkt)
    assert Gezinslid.objects.filter(huishouden=casus.huishouden_id).exists()


def test_an_interrupted_destruction_leaves_the_household_whole(casus, monkeypatch):
    from casussen.services import huishouden as huishouden_services

    def crash(**kwargs):
        raise RuntimeError("stroomstoring")

    monkeypatch.setattr(huishouden_services, "huishouden_shred", crash)
    with pytest.raises(RuntimeError):
        destroy_household(huishouden=casus.huishouden, by=None, reden="x")
    monkeypatch.undo()
    huishouden = Huishouden.objects.get(pk=casus.huishouden_id)
    assert not huishouden.is_vernietigd
    assert huishouden.gezinsleden.get().achternaam  # rows back and readable
    assert TimelineEntry.objects.filter(casus=casus).exists()
    destroy_household(huishouden=huishouden, by=None, reden="x")
    assert AuditRecord.objects.filter(actie=Actie.SHRED).count() == 1
