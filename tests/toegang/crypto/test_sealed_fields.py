from __future__ import annotations

from datetime import date

import pytest

from django.core.exceptions import FieldError
from django.db import transaction

from casussen.models import Gezinslid
from tests.casussen.factories import make_huishouden
from toegang.crypto.datakeys import cipher_cache
from toegang.crypto.errors import KeyRingError, SealedValueError
from toegang.crypto.fields import Sealed
from toegang.crypto.models import DataKey

pytestmark = pytest.mark.django_db


def _raw(lid: Gezinslid, field: str) -> Sealed:
    return Gezinslid.objects.filter(pk=lid.pk).values_list(field, flat=True).get()


def _reload(lid: Gezinslid) -> Gezinslid:
    cipher_cache.clear()
    return Gezinslid.objects.get(pk=lid.pk)


def test_values_round_trip_through_the_database():
    _, (lid,) = make_huishouden(
        {
            "achternaam": "van der Berg",
            "voornaam": "Zoë",
            "geboortedatum": date(1980, 2, 29),
            "telefoon": "",
        }
    )
    again = _reload(lid)
    assert again.achternaam == "van der Berg"
    assert again.voornaam == "Zoë"
    assert again.geboortedatum == date(1980, 2, 29)
    assert again.telefoon == ""
    assert again.bsn == lid.bsn and len(again.bsn) == 9


def test_stored_value_is_versioned_ciphertext_not_the_text():
    _, (lid,) = make_huishouden({"achternaam": "Doornbosch"})
    raw = _raw(lid, "achternaam")
    assert isinstance(raw, Sealed)
    assert raw.blob[0] == 1  # format version
    assert b"Doornbosch" not in raw.blob
    assert len(raw.blob) == 1 + 12 + len("Doornbosch") + 16


def test_a_page_decrypts_only_what_it_shows():
    _, (lid,) = make_huishouden()
    again = _reload(lid)
    assert again.achternaam
    opened = {
        name
        for name in ("voornaam", "achternaam", "bsn", "telefoon")
        if again.__dict__[name].has_value
    }
    assert opened == {"achternaam"}


def test_listing_and_reading_sealed_fields_of_many_households_is_one_query(
    django_assert_num_queries,
):
    for _ in range(4):
        make_huishouden({}, {})
    cipher_cache.clear()
    with django_assert_num_queries(1):
        names = [(lid.voornaam, lid.achternaam) for lid in Gezinslid.objects.all()]
    assert len(names) == 8 and all(isinstance(n, str) for pair in names for n in pair)


def test_unchanged_save_keeps_the_ciphertext_and_a_change_reseals_with_a_fresh_nonce():
    _, (lid,) = make_huishouden({"voornaam": "Anna", "achternaam": "Anna"})
    before = _raw(lid, "voornaam")
    again = _reload(lid)
    again.save()
    assert _raw(lid, "voornaam") == before
    again.voornaam = "Anna"
    again.save()
    after = _raw(lid, "voornaam")
    assert after != before and after.blob[1:13] != before.blob[1:13]
    assert _reload(lid).voornaam == "Anna"
    # same plaintext in two columns of one row: different ciphertexts
    assert _raw(lid, "achternaam").blob[13:] != after.blob[13:]


def test_ciphertext_moved_to_another_row_fails_to_open_with_a_clear_error():
    _, (a, b) = make_huishouden({"achternaam": "Aaldering"}, {"achternaam": "Bruinsma"})
    Gezinslid.objects.filter(pk=b.pk).update(achternaam=_raw(a, "achternaam"))
    with pytest.raises(SealedValueError) as excinfo:
        _ = _reload(b).achternaam
    message = str(excinfo.value)
    assert "casussen.Gezinslid.achternaam" in message and str(b.pk) in message
    assert "Aaldering" not in message and "Bruinsma" not in message


def test_ciphertext_moved_to_another_column_fails_to_open():
    _, (lid,) = make_huishouden({"voornaam": "Jan", "achternaam": "Jansen"})
    Gezinslid.objects.filter(pk=lid.pk).update(achternaam=_raw(lid, "voornaam"))
    with pytest.raises(SealedValueError):
        _ = _reload(lid).achternaam
    assert _reload(lid).voornaam == "Jan"


def test_ciphertext_moved_to_another_household_fails_to_open():
    _, (a,) = make_huishouden()
    _, (b,) = make_huishouden()
    Gezinslid.objects.filter(pk=b.pk).update(telefoon=_raw(a, "telefoon"))
    with pytest.raises(SealedValueError):
        _ = _reload(b).telefoon


@pytest.mark.parametrize("position", [0, 5, -1])
def test_a_tampered_byte_fails(position):
    _, (lid,) = make_huishouden()
    blob = bytearray(_raw(lid, "bsn").blob)
    blob[position] ^= 0x01
    Gezinslid.objects.filter(pk=lid.pk).update(bsn=Sealed(bytes(blob)))
    with pytest.raises(SealedValueError):
        _ = _reload(lid).bsn


def test_unknown_format_version_is_named():
    _, (lid,) = make_huishouden()
    blob = b"\x07" + _raw(lid, "bsn").blob[1:]
    Gezinslid.objects.filter(pk=lid.pk).update(bsn=Sealed(blob))
    with pytest.raises(SealedValueError, match="unknown sealed format version 7"):
        _ = _reload(lid).bsn


def test_unknown_kek_version_gives_a_clear_error():
    huishouden, (lid,) = make_huishouden()
    DataKey.objects.filter(pk=huishouden.data_key_id).update(kek_version=99)
    with pytest.raises(KeyRingError, match="KEK version 99 is not in the key ring"):
        _ = _reload(lid).achternaam


def test_sealed_fields_cannot_be_filtered_or_bulk_written_in_plaintext():
    make_huishouden({"achternaam": "Visser"})
    assert Gezinslid.objects.filter(geboortedatum__isnull=False).count() == 1
    with pytest.raises(FieldError):
        list(Gezinslid.objects.filter(achternaam="Visser"))
    with pytest.raises(SealedValueError), transaction.atomic():
        Gezinslid.objects.update(achternaam="Visser")


def test_deferred_sealed_field_loads_on_access():
    _, (lid,) = make_huishouden({"woonplaats": "Putten"})
    cipher_cache.clear()
    deferred = Gezinslid.objects.only("id", "huishouden").get(pk=lid.pk)
    assert deferred.woonplaats == "Putten"
