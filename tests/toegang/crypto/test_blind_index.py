from __future__ import annotations

from datetime import date

import pytest

from casussen.models import Gezinslid
from tests.casussen.factories import make_huishouden
from toegang.crypto.blind_index import (
    blind_index_bsn,
    blind_index_naam_geboortedatum,
    blind_index_postcode_huisnummer,
    normalise_achternaam,
    normalise_huisnummer,
    normalise_postcode,
)
from toegang.crypto.bsn import bsn_is_valid, bsn_normalise
from toegang.crypto.keyring import SecretKey

DOB = date(1975, 6, 1)


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("van der Berg", "berg"),
        ("Van der Berg", "berg"),
        ("  VAN  DER   BERG ", "berg"),
        ("Berg, van der", "berg"),
        ("de Vries", "vries"),
        ("'t Hart", "hart"),
        ("’t Hart", "hart"),
        ("d'Ancona", "ancona"),
        ("Jansen-de Vries", "jansendevries"),
        ("Jansen - de Vries", "jansendevries"),
        ("Çelik", "celik"),
        ("Ødegård", "odegard"),
        ("Müßig", "mussig"),
        ("De", "de"),
        ("van der", "der"),
        ("Vandenberg", "vandenberg"),
    ],
)
def test_surname_normalisation(written, normal):
    assert normalise_achternaam(written) == normal


@pytest.mark.parametrize(
    ("postcode", "normal"), [("1234 ab", "1234AB"), ("1234AB", "1234AB"), (" 1234  aB ", "1234AB")]
)
def test_postcode_normalisation(postcode, normal):
    assert normalise_postcode(postcode) == normal


@pytest.mark.parametrize(
    ("huisnummer", "normal"),
    [
        ("12", "12"),
        ("12a", "12-A"),
        ("12 A", "12-A"),
        ("12-a", "12-A"),
        ("012", "12"),
        ("12-3", "12-3"),
        ("123", "123"),
        ("12 bis", "12-BIS"),
        ("12 hs", "12-HS"),
    ],
)
def test_house_number_normalisation(huisnummer, normal):
    assert normalise_huisnummer(huisnummer) == normal


def test_bsn_normalisation_and_elfproef():
    assert bsn_normalise("1234.56.782") == "123456782"
    assert bsn_normalise("12345672") == "012345672"
    assert bsn_is_valid("123456782")
    assert bsn_is_valid("1234 56 782")
    assert not bsn_is_valid("123456781")  # checksum off by one
    assert not bsn_is_valid("000000000")
    assert not bsn_is_valid("12345678")  # 8 digits padded: 012345678 fails the elfproef
    assert not bsn_is_valid("12a456782")
    assert not bsn_is_valid("1234567820")


@pytest.mark.django_db
def test_equal_after_normalisation_means_equal_index():
    assert blind_index_bsn("123 456 782") == blind_index_bsn("123456782")
    assert blind_index_naam_geboortedatum("Van der Berg", DOB) == blind_index_naam_geboortedatum(
        "berg", DOB
    )
    assert blind_index_naam_geboortedatum("Berg", DOB) != blind_index_naam_geboortedatum(
        "Berg", date(1975, 6, 2)
    )
    assert blind_index_postcode_huisnummer("1234 ab", "12a") == blind_index_postcode_huisnummer(
        "1234AB", "12-A"
    )
    assert blind_index_postcode_huisnummer("1234AB", "12-3") != blind_index_postcode_huisnummer(
        "1234AB", "123"
    )


@pytest.mark.django_db
def test_index_is_keyed_hex_and_domain_separated():
    value = blind_index_bsn("123456782")
    assert value is not None and len(value) == 64 and int(value, 16) >= 0
    assert "123456782" not in value
    assert blind_index_bsn("123456782", key=SecretKey.generate()) != value
    # same input string for two kinds of index gives two different values
    assert blind_index_postcode_huisnummer("123456782", "1") != blind_index_bsn("123456782")


@pytest.mark.django_db
def test_nothing_to_index_gives_none():
    assert blind_index_bsn("") is None
    assert blind_index_naam_geboortedatum("   ", DOB) is None
    assert blind_index_postcode_huisnummer("", "12") is None


@pytest.mark.django_db
def test_gezinslid_gets_its_indexes_and_is_found_by_them():
    _, (lid,) = make_huishouden(
        {
            "achternaam": "van 't Hof",
            "geboortedatum": DOB,
            "postcode": "3881 AB",
            "huisnummer": "7b",
        }
    )
    assert Gezinslid.objects.get(bsn_index=blind_index_bsn(lid.bsn)) == lid
    assert (
        Gezinslid.objects.get(naam_geboortedatum_index=blind_index_naam_geboortedatum("Hof", DOB))
        == lid
    )
    assert (
        Gezinslid.objects.get(
            postcode_huisnummer_index=blind_index_postcode_huisnummer("3881ab", "7 B")
        )
        == lid
    )


@pytest.mark.django_db
def test_indexes_follow_a_change_of_the_source_value():
    _, (lid,) = make_huishouden({"achternaam": "Smit", "geboortedatum": DOB})
    lid = Gezinslid.objects.get(pk=lid.pk)
    lid.achternaam = "de Groot"
    lid.save()
    assert Gezinslid.objects.filter(
        naam_geboortedatum_index=blind_index_naam_geboortedatum("Groot", DOB)
    ).exists()
