from __future__ import annotations

import uuid
from datetime import date
from io import StringIO

import pytest

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template import Context, Template
from rest_framework import serializers

from audit.models import Actie, AuditRecord
from casussen import demo
from casussen.models import Gezinslid, Huishouden
from casussen.services.huishouden import gezinslid_add, huishouden_create, huishouden_shred
from tests.casussen.factories import gezinslid_values, make_huishouden
from toegang.crypto.api import SealedValueField
from toegang.crypto.blind_index import blind_index_bsn
from toegang.crypto.bsn import bsn_is_valid
from toegang.crypto.datakeys import cipher_cache
from toegang.crypto.errors import DataKeyDestroyedError
from toegang.crypto.sealing import VERNIETIGD

pytestmark = pytest.mark.django_db


def _read(lid: Gezinslid) -> Gezinslid:
    cipher_cache.clear()
    return Gezinslid.objects.get(pk=lid.pk)


def test_create_and_add_write_audit_records_with_ids_and_field_names_only(consulent):
    huishouden = huishouden_create(by=consulent)
    lid = gezinslid_add(
        huishouden=huishouden, by=consulent, achternaam="Kortenhoeven", bsn="123456782"
    )
    records = AuditRecord.objects.filter(huishouden_id=huishouden.pk, actie=Actie.CREATE)
    assert records.count() == 2
    added = records.get(object_type="gezinslid")
    assert added.user_id == consulent.pk and added.persoon_ids == [str(lid.pk)]
    assert set(added.velden) == {"achternaam", "bsn"}
    assert "Kortenhoeven" not in str(list(records.values()))


def test_invalid_bsn_is_refused_and_nothing_is_saved(consulent):
    huishouden = huishouden_create(by=consulent)
    with pytest.raises(ValidationError) as excinfo:
        gezinslid_add(huishouden=huishouden, by=consulent, achternaam="X", bsn="123456781")
    assert "123456781" not in str(excinfo.value)
    assert not Gezinslid.objects.exists()


def test_bsn_is_stored_normalised(consulent):
    huishouden = huishouden_create(by=consulent)
    lid = gezinslid_add(huishouden=huishouden, by=consulent, achternaam="X", bsn="1234.56.782")
    assert _read(lid).bsn == "123456782"


def test_too_long_value_is_refused(consulent):
    huishouden = huishouden_create(by=consulent)
    with pytest.raises(ValidationError):
        gezinslid_add(huishouden=huishouden, by=consulent, achternaam="x" * 201)


def test_shredding_makes_exactly_that_household_unreadable(consulent):
    shredded, shredded_leden = make_huishouden({}, {})
    _kept, kept_leden = make_huishouden({}, {})
    kept_values = [(lid.achternaam, lid.bsn, lid.geboortedatum) for lid in kept_leden]

    huishouden_shred(huishouden=shredded, by=consulent, reden="bewaartermijn verstreken")

    for lid in shredded_leden:
        gone = _read(lid)
        assert gone.achternaam is VERNIETIGD
        assert gone.bsn is VERNIETIGD and gone.geboortedatum is VERNIETIGD
        assert gone.adres is VERNIETIGD
        assert gone.bsn_index is None and gone.naam_geboortedatum_index is None
    assert [
        (lid.achternaam, lid.bsn, lid.geboortedatum) for lid in map(_read, kept_leden)
    ] == kept_values
    assert not Gezinslid.objects.filter(bsn_index=blind_index_bsn(shredded_leden[0].bsn)).exists()
    data_key = Huishouden.objects.get(pk=shredded.pk).data_key
    assert bytes(data_key.wrapped) == b"" and data_key.destroyed_at is not None
    record = AuditRecord.objects.get(actie=Actie.SHRED)
    assert record.huishouden_id == shredded.pk and record.user_id == consulent.pk
    assert set(record.persoon_ids) == {str(lid.pk) for lid in shredded_leden}


def test_shredded_values_render_as_gegevens_vernietigd_and_serialise_as_null(consulent):
    huishouden, (lid,) = make_huishouden()
    huishouden_shred(huishouden=huishouden, by=consulent)
    gone = _read(lid)

    html = Template("{{ lid.achternaam }} / {{ lid.geboortedatum }}").render(Context({"lid": gone}))
    assert html == "gegevens vernietigd / gegevens vernietigd"

    class GezinslidSerializer(serializers.Serializer):
        achternaam = SealedValueField()
        geboortedatum = SealedValueField()
        vernietigd = serializers.BooleanField(source="huishouden.is_vernietigd", read_only=True)

    assert GezinslidSerializer(gone).data == {
        "achternaam": None,
        "geboortedatum": None,
        "vernietigd": True,
    }
    alive = _read(make_huishouden({"geboortedatum": date(2001, 1, 2)})[1][0])
    assert GezinslidSerializer(alive).data["geboortedatum"] == "2001-01-02"
    assert GezinslidSerializer(alive).data["vernietigd"] is False


def test_shredded_household_accepts_no_new_data(consulent):
    huishouden, (lid,) = make_huishouden()
    huishouden_shred(huishouden=huishouden, by=consulent)
    with pytest.raises(ValidationError):
        gezinslid_add(
            huishouden=Huishouden.objects.get(pk=huishouden.pk), by=consulent, **gezinslid_values()
        )
    gone = _read(lid)
    gone.telefoon = "0612345678"
    with pytest.raises(DataKeyDestroyedError):
        gone.save()


def test_shredding_twice_is_harmless(consulent):
    huishouden, _ = make_huishouden()
    huishouden_shred(huishouden=huishouden, by=consulent)
    huishouden_shred(huishouden=huishouden, by=consulent)
    assert AuditRecord.objects.filter(actie=Actie.SHRED).count() == 1


def test_demo_creates_households_once_with_valid_bsns():
    assert demo.load() == demo.HUISHOUDENS
    assert demo.load() == 0
    assert Huishouden.objects.count() == demo.HUISHOUDENS
    cipher_cache.clear()
    leden = list(Gezinslid.objects.all())
    assert leden and all(bsn_is_valid(lid.bsn) for lid in leden)


def test_shred_command_shreds_one_household():
    huishouden, (lid,) = make_huishouden()
    _other, (kept,) = make_huishouden()
    out = StringIO()
    call_command("huishouden_shred", str(huishouden.pk), "--reden", "bewaartermijn", stdout=out)
    assert "vernietigd" in out.getvalue()
    assert _read(lid).achternaam is VERNIETIGD
    assert _read(kept).achternaam == kept.achternaam
    assert AuditRecord.objects.get(actie=Actie.SHRED).reden == "bewaartermijn"
    with pytest.raises(CommandError):
        call_command("huishouden_shred", str(uuid.uuid4()), "--reden", "x", stdout=out)
