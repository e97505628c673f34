"""Buurten as data: postcode → buurt, CSV loading, and a household's buurt with its source."""

from __future__ import annotations

import pytest

from django.core.management import CommandError, call_command

from casussen.models import Huishouden
from monitor.buurten import buurt_bepalen, buurt_voor_adres
from monitor.models import Buurt, PostcodeGebied
from signalen.services import signaal_receive
from tests.signalen import factories
from tests.toegang.events.helpers import captured_events


def test_split_postcode_goes_by_house_number_then_whole_postcode_then_four_positions():
    assert buurt_voor_adres("3881 ab", "12") == "BU02730001"
    assert buurt_voor_adres("3881AB", "40a") == "BU02730002"
    assert buurt_voor_adres("3881AB", "500") == "BU02730000"  # outside both ranges: 3881
    assert buurt_voor_adres("3882AA", "") == "BU02730101"
    assert buurt_voor_adres("3882ZZ", "1") == "BU02730100"
    assert buurt_voor_adres("9999ZZ", "1") == ""
    assert buurt_voor_adres("onzin", "1") == ""


def test_address_before_signal_before_organisation():
    assert buurt_bepalen(
        postcode="3885AA", signaal_buurt="Dorpskern", organisatie_buurt="Huinen"
    ) == ("BU02730301", "adres")
    assert buurt_bepalen(signaal_buurt="dorpskern", organisatie_buurt="Huinen") == (
        "BU02730001",
        "signaal",
    )
    assert buurt_bepalen(signaal_buurt="ergens", organisatie_buurt="BU02730301") == (
        "BU02730301",
        "organisatie",
    )
    assert buurt_bepalen(signaal_buurt="ergens") == ("", "")


def test_buurten_laden_replaces_the_postcodes_of_the_buurten_in_the_file(tmp_path):
    path = tmp_path / "buurten.csv"
    path.write_text(
        "wijkcode;wijknaam;buurtcode;buurtnaam;postcode;huisnummer_van;huisnummer_tot\n"
        "WK027300;Putten-Centrum;BU02730001;Dorpskern Oud;3881AB;1;9\n",
        encoding="utf-8",
    )
    call_command("buurten_laden", str(path))
    buurt = Buurt.objects.get(code="BU02730001")
    assert buurt.naam == "Dorpskern Oud"
    assert [(p.postcode, p.huisnummer_van, p.huisnummer_tot) for p in buurt.postcodes.all()] == [
        ("3881AB", 1, 9)
    ]
    assert buurt_voor_adres("3881AB", "20") == "BU02730000"


def test_a_bad_line_loads_nothing(tmp_path):
    before = PostcodeGebied.objects.count()
    path = tmp_path / "buurten.csv"
    path.write_text(
        "wijkcode,wijknaam,buurtcode,buurtnaam,postcode,huisnummer_van,huisnummer_tot\n"
        "WK027399,Nieuw,BU02739900,Nieuwbouw,3887,,\n"
        "WK027399,Nieuw,BU02739901,Fout,3887AB,9,1\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Regel 3"):
        call_command("buurten_laden", str(path))
    assert not Buurt.objects.filter(code="BU02739900").exists()
    assert PostcodeGebied.objects.count() == before


def test_signal_records_the_household_buurt_with_its_source_and_the_event_carries_only_the_code(
    melder,
):
    data = factories.body(
        inwoner={"achternaam": "de Boer", "postcode": "3882 AB", "huisnummer": "7"}, buurt="Huinen"
    )
    with captured_events() as events:
        signaal = signaal_receive(melder=melder, data=data)
    huishouden = Huishouden.objects.get(pk=signaal.huishouden_id)
    assert (huishouden.buurt_code, huishouden.buurt_bron) == ("BU02730101", "adres")
    payload = events[0].payload
    assert payload["buurt"] == "BU02730101"
    assert (
        payload["organisatie_soort"] == "inloophuis" and payload["toestemming"] == "met_toestemming"
    )
    assert "3882" not in str(payload) and "Boer" not in str(payload)


def test_anonymous_signal_takes_the_signal_buurt_else_the_organisation_buurt(melder):
    eerste = signaal_receive(melder=melder, data=factories.anoniem(buurt="Diermen"))
    tweede = signaal_receive(melder=melder, data=factories.anoniem(buurt=None))
    assert Huishouden.objects.get(pk=eerste.huishouden_id).buurt_bron == "signaal"
    # The inloophuis of the factories is in "Centrum": no such buurt, so none is recorded.
    assert Huishouden.objects.get(pk=tweede.huishouden_id).buurt_code == ""
