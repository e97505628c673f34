"""Buurten as data: postcode → buurt, CSV loading, and a household's buurt with its source."""

from __future__ import annotations

import pytest

from django.core.management import CommandError, call_command
from django.utils import timezone

from casussen.models import Casus, Huishouden
from casussen.services import rechten
from casussen.services.casus import casus_set_status
from monitor import projection
from monitor.buurten import buurt_bepalen, buurt_voor_adres
from monitor.figures import Kwartaal, kwartaal_cijfers
from monitor.models import Buurt, CasusFeit, PostcodeGebied, SignaalFeit
from signalen.services import signaal_assign, signaal_link_casus, signaal_receive
from tests.signalen import factories
from tests.toegang.events.helpers import captured_events
from toegang.roles import Rol


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


# -- an address that changes --------------------------------------------------------

BSN = "111222333"


def _casus_in_huinen(huisarts, teamleider, consulent):
    """A casus whose household came in without address, in the buurt the signal named."""
    signaal = signaal_receive(
        melder=huisarts,
        data=factories.body(inwoner={"achternaam": "de Boer", "bsn": BSN}, buurt="Huinen"),
    )
    signaal = signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider)
    projection.drain()
    assert CasusFeit.objects.get(casus_id=signaal.casus_id).buurt == "BU02730301"
    return Casus.objects.get(pk=signaal.casus_id)


def _buurt_events(events):
    return [
        (e.aggregate_id, e.payload)
        for e in events
        if e.event_type == "casus.bijgewerkt" and e.payload.get("onderdeel") == "buurt"
    ]


def test_a_new_address_moves_the_household_and_its_open_casus_to_that_buurt(
    huisarts, teamleider, consulent
):
    casus = _casus_in_huinen(huisarts, teamleider, consulent)
    with captured_events() as events:
        signaal_receive(
            melder=huisarts,
            data=factories.body(
                inwoner={
                    "achternaam": "de Boer",
                    "bsn": BSN,
                    "postcode": "3882AB",
                    "huisnummer": "7",
                }
            ),
        )
    huishouden = Huishouden.objects.get(pk=casus.huishouden_id)
    assert (huishouden.buurt_code, huishouden.buurt_bron) == ("BU02730101", "adres")
    # The event names the casus and carries the buurt code, nothing of the address.
    assert _buurt_events(events) == [(str(casus.pk), {"onderdeel": "buurt", "buurt": "BU02730101"})]
    projection.drain()
    assert CasusFeit.objects.get(casus_id=casus.pk).buurt == "BU02730101"


def test_the_same_buurt_again_sends_no_event(huisarts, teamleider, consulent):
    casus = _casus_in_huinen(huisarts, teamleider, consulent)
    with captured_events() as events:
        signaal_receive(
            melder=huisarts,
            data=factories.body(inwoner={"achternaam": "de Boer", "bsn": BSN}, buurt="Huinen"),
        )
    assert _buurt_events(events) == []
    assert Huishouden.objects.get(pk=casus.huishouden_id).buurt_bron == "signaal"


def _correctie(privacy, casus, veld, waarde):
    lid = casus.huishouden.gezinsleden.get()
    verzoek = rechten.verzoek_registreren(
        soort="correctie",
        huishouden=casus.huishouden,
        by=privacy,
        reden="Verkeerd adres genoteerd.",
        gezinslid=lid,
        veld=veld,
        nieuwe_waarde=waarde,
    )
    rechten.verzoek_besluiten(verzoek=verzoek, toewijzen=True, by=privacy, reden="Klopt")


def test_a_corrected_address_moves_every_casus_of_the_household_and_the_rebuild_agrees(
    huisarts, teamleider, consulent, make_user
):
    privacy = make_user(Rol.PRIVACY_OFFICER)
    casus = _casus_in_huinen(huisarts, teamleider, consulent)
    casus_set_status(
        casus=casus,
        status="afgesloten",
        version=Casus.objects.get(pk=casus.pk).version,
        by=consulent,
        afsluitreden="verhuisd",
        grondslag="wmo_2015",
    )
    with captured_events() as events:
        _correctie(privacy, casus, "postcode", "3881 AC")
    huishouden = Huishouden.objects.get(pk=casus.huishouden_id)
    assert (huishouden.buurt_code, huishouden.buurt_bron) == ("BU02730001", "adres")
    assert _buurt_events(events) == [(str(casus.pk), {"onderdeel": "buurt", "buurt": "BU02730001"})]
    projection.drain()
    assert CasusFeit.objects.get(casus_id=casus.pk).buurt == "BU02730001"

    # Corrected again, to an address in no known buurt: the casus counts as buurt unknown.
    _correctie(privacy, casus, "postcode", "9999 ZZ")
    assert Huishouden.objects.get(pk=casus.huishouden_id).buurt_code == ""
    projection.drain()
    q = Kwartaal.van(timezone.localdate())
    gesloten = {r.code: r.waarde for r in kwartaal_cijfers(q).tabellen["gesloten"].rijen}
    live = sorted(CasusFeit.objects.values_list("casus_id", "buurt"))
    assert live == [(casus.pk, "onbekend")]
    call_command("monitor_rebuild")
    assert sorted(CasusFeit.objects.values_list("casus_id", "buurt")) == live
    assert {r.code: r.waarde for r in kwartaal_cijfers(q).tabellen["gesloten"].rijen} == gesloten


def test_a_merge_gives_the_household_the_buurt_of_the_address_that_came_with_it(
    huisarts, teamleider, consulent
):
    """A household known by a signal's buurt takes in one that came with an address: its
    open casus moves to the address's buurt, in the events and in the projection."""
    casus = _casus_in_huinen(huisarts, teamleider, consulent)
    los = signaal_receive(
        melder=huisarts,
        data=factories.body(
            inwoner={"achternaam": "Jansen", "postcode": "3882AB", "huisnummer": "7"}
        ),
    )
    assert Huishouden.objects.get(pk=los.huishouden_id).buurt_bron == "adres"
    with captured_events() as events:
        signaal_link_casus(signaal=los, casus=casus, by=consulent)
    huishouden = Huishouden.objects.get(pk=casus.huishouden_id)
    assert (huishouden.buurt_code, huishouden.buurt_bron) == ("BU02730101", "adres")
    assert _buurt_events(events) == [(str(casus.pk), {"onderdeel": "buurt", "buurt": "BU02730101"})]
    projection.drain()
    assert CasusFeit.objects.get(casus_id=casus.pk).buurt == "BU02730101"
    assert SignaalFeit.objects.get(signaal_id=los.pk).huishouden_id == casus.huishouden_id


def test_a_merge_keeps_the_buurt_of_a_better_source(huisarts, teamleider, consulent):
    casus = _casus_in_huinen(huisarts, teamleider, consulent)
    Huishouden.objects.filter(pk=casus.huishouden_id).update(buurt_bron="adres")
    los = signaal_receive(
        melder=huisarts, data=factories.body(inwoner={"achternaam": "Jansen"}, buurt="Diermen")
    )
    with captured_events() as events:
        signaal_link_casus(signaal=los, casus=casus, by=consulent)
    assert Huishouden.objects.get(pk=casus.huishouden_id).buurt_code == "BU02730301"
    assert _buurt_events(events) == []
