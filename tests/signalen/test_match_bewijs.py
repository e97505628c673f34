"""Match decisions with evidence: which keys matched, the members, ask the aanspreekpunt."""

from __future__ import annotations

import pytest

from django.core.exceptions import ValidationError

from audit.models import AuditRecord
from casussen.models import TimelineEntry
from signalen.selectors import match_kandidaten
from signalen.services import signaal_match_vragen, signaal_receive
from tests.signalen import factories

pytestmark = pytest.mark.django_db


def _signaal_over_de_boer(melder, **inwoner):
    gegevens = {"achternaam": "de Boer", "geboortedatum": "1958-03-14", **inwoner}
    return signaal_receive(melder=melder, data=factories.warm(inwoner=gegevens))


def test_each_key_says_matched_not_matched_or_not_given(melder, bekende_casus):
    signaal = _signaal_over_de_boer(melder, postcode="1234 ZZ", huisnummer="12")
    [kandidaat] = match_kandidaten(signaal=signaal)
    uitkomsten = {str(s.naam): s.uitkomst for s in kandidaat.sleutels}
    assert uitkomsten == {
        "BSN": "onbekend",
        "Achternaam en geboortedatum": "ja",
        "Postcode en huisnummer": "nee",
    }
    assert [lid.voornaam for lid in kandidaat.leden] == ["Jan"]
    assert kandidaat.casus == bekende_casus


def test_the_same_household_is_offered_once(melder, bekende_casus):
    signaal = _signaal_over_de_boer(melder)
    signaal.mogelijke_match = [str(bekende_casus.huishouden_id)] * 3
    assert len(match_kandidaten(signaal=signaal)) == 1


def test_the_team_lead_reading_the_members_is_audited(login, melder, teamleider, bekende_casus):
    signaal = _signaal_over_de_boer(melder)
    page = login(teamleider).get(f"/signalen/aanmeldingen/{signaal.pk}/").content.decode()
    assert "Jan de Boer" in page and "komt overeen" in page
    gelezen = AuditRecord.objects.filter(
        object_type="huishouden", object_id=str(bekende_casus.huishouden_id)
    ).last()
    assert gelezen.username == teamleider.username
    assert gelezen.reden == "mogelijke match beoordelen"


def test_asking_the_aanspreekpunt_puts_the_question_on_the_casus_timeline(
    melder, teamleider, bekende_casus
):
    signaal = _signaal_over_de_boer(melder)
    casus = signaal_match_vragen(
        signaal=signaal, huishouden_id=bekende_casus.huishouden_id, by=teamleider
    )
    vraag = TimelineEntry.objects.filter(casus=casus, soort=TimelineEntry.Soort.NOTITIE).get()
    assert signaal.referentie in vraag.tekst
    signaal.refresh_from_db()
    assert signaal.mogelijke_match == [str(bekende_casus.huishouden_id)]  # still to decide


def test_asking_about_a_household_that_is_no_candidate_is_refused(
    melder, teamleider, bekende_casus
):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    with pytest.raises(ValidationError):
        signaal_match_vragen(
            signaal=signaal, huishouden_id=bekende_casus.huishouden_id, by=teamleider
        )


def test_a_household_known_from_another_signal_names_that_signal(melder):
    eerste = _signaal_over_de_boer(melder)
    tweede = _signaal_over_de_boer(melder)
    [kandidaat] = match_kandidaten(signaal=tweede)
    assert kandidaat.huishouden_id == str(eerste.huishouden_id)
    assert kandidaat.signalen == [eerste.referentie]
    assert kandidaat.casus is None
