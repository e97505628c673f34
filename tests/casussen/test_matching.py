"""Matching on blind indexes, intake of a person and merging households."""

from __future__ import annotations

from datetime import date

import pytest

from audit.models import AuditRecord
from casussen.errors import CasusConflict
from casussen.matching import match_persoon
from casussen.models import Gezinslid, Huishouden
from casussen.services.casus import casus_set_status
from casussen.services.intake import huishouden_merge, intake_persoon, register_merge_handler
from casussen.types import PersoonsGegevens
from tests.casussen.factories import AFSLUITING, make_huishouden, random_bsn

pytestmark = pytest.mark.django_db

GEBOREN = date(1980, 5, 17)


def test_exact_bsn_finds_the_open_casus(make_casus, consulent):
    bsn = random_bsn()
    casus = make_casus(consulent, leden=[{"bsn": bsn}])
    result = match_persoon(bsn=bsn)
    assert result.casus == casus and result.huishouden == casus.huishouden
    assert result.mogelijke_huishouden_ids == []


def test_exact_bsn_without_open_casus_finds_the_household(make_casus, consulent):
    bsn = random_bsn()
    casus = make_casus(consulent, leden=[{"bsn": bsn}])
    casus_set_status(casus=casus, status="afgesloten", version=1, by=consulent, **AFSLUITING)
    result = match_persoon(bsn=bsn)
    assert result.casus is None and result.huishouden == casus.huishouden


def test_name_and_birth_date_only_give_a_possible_match(make_casus, consulent):
    casus = make_casus(consulent, leden=[{"achternaam": "van der Berg", "geboortedatum": GEBOREN}])
    result = match_persoon(achternaam="Berg", geboortedatum=GEBOREN)
    assert result.casus is None and result.huishouden is None
    assert result.mogelijke_huishouden_ids == [casus.huishouden_id]


def test_postcode_and_house_number_give_a_possible_match(make_casus, consulent):
    casus = make_casus(consulent, leden=[{"postcode": "3881 AB", "huisnummer": "12a"}])
    result = match_persoon(postcode="3881AB", huisnummer="12 A")
    assert result.mogelijke_huishouden_ids == [casus.huishouden_id]


def test_intake_with_known_bsn_joins_without_a_new_household(make_casus, consulent):
    bsn = random_bsn()
    casus = make_casus(consulent, leden=[{"bsn": bsn}])
    before = Huishouden.objects.count()
    result = intake_persoon(persoon=PersoonsGegevens(bsn=bsn, achternaam="Anders"), by=None)
    assert result.casus == casus
    assert Huishouden.objects.count() == before


def test_intake_of_a_possible_match_creates_a_provisional_household(make_casus, consulent):
    casus = make_casus(consulent, leden=[{"achternaam": "Jansen", "geboortedatum": GEBOREN}])
    result = intake_persoon(
        persoon=PersoonsGegevens(achternaam="Jansen", geboortedatum=GEBOREN), by=None
    )
    assert result.casus is None
    assert result.huishouden != casus.huishouden
    assert result.mogelijke_huishouden_ids == [casus.huishouden_id]
    assert result.huishouden.gezinsleden.get().achternaam == "Jansen"


def test_anonymous_intake_gets_an_empty_household():
    result = intake_persoon(persoon=None, by=None)
    assert result.casus is None and not result.huishouden.gezinsleden.exists()


def test_merge_moves_members_resealed_and_is_audited(make_casus, consulent, monkeypatch):
    from casussen.services import intake

    monkeypatch.setattr(intake, "_MERGE_HANDLERS", [])
    casus = make_casus(consulent, leden=[{"achternaam": "Jansen"}])
    bron, _ = make_huishouden({"achternaam": "Bakker", "voornaam": "Piet"})
    bron_id = bron.pk
    seen = []
    register_merge_handler(lambda *, bron, doel, by: seen.append((bron.pk, doel.pk)))
    huishouden_merge(bron=bron, doel=casus.huishouden, by=consulent)
    namen = sorted(lid.achternaam for lid in Gezinslid.objects.filter(huishouden=casus.huishouden))
    assert namen == ["Bakker", "Jansen"]
    assert not Huishouden.objects.filter(pk=bron_id).exists()
    assert seen[-1] == (bron_id, casus.huishouden_id)
    record = (
        AuditRecord.objects.filter(object_type="huishouden", object_id=str(casus.huishouden_id))
        .order_by("-pk")
        .first()
    )
    assert record is not None and str(bron_id) in record.object_ids


def test_merge_of_a_household_with_a_casus_into_another_is_refused(make_casus, consulent):
    casus = make_casus(consulent)
    doel, _ = make_huishouden()
    with pytest.raises(CasusConflict):
        huishouden_merge(bron=casus.huishouden, doel=doel, by=consulent)
    assert casus.huishouden.gezinsleden.count() == 1


def test_resident_lookup_finds_household_and_person_by_bsn_or_name(make_casus, consulent):
    from casussen.matching import resident_lookup

    bsn = random_bsn()
    casus = make_casus(
        consulent, leden=[{"bsn": bsn, "achternaam": "de Boer", "geboortedatum": GEBOREN}]
    )
    lid = casus.huishouden.gezinsleden.get()
    assert resident_lookup(bsn=bsn) == ([casus.huishouden_id], [lid.pk])
    assert resident_lookup(achternaam="Boer", geboortedatum=GEBOREN) == (
        [casus.huishouden_id],
        [lid.pk],
    )
    assert resident_lookup(bsn=random_bsn()) == ([], [])
