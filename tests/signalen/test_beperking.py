"""A restricted household (AVG art. 18) shows up nowhere in the intake: not in the team's
queue (not even a signal that waited there before the restriction), not as a match."""

from __future__ import annotations

import pytest

from django.core.exceptions import ValidationError

from casussen.models import Casus
from casussen.selectors import caseload_for_team, zonder_aanspreekpunt_count
from signalen import selectors
from signalen.services import signaal_assign, signaal_match_confirm, signaal_receive
from tests.casussen.factories import beperk, make_huishouden
from tests.signalen import factories
from toegang.roles import Rol

pytestmark = pytest.mark.django_db


@pytest.fixture
def privacy(make_user):
    return make_user(Rol.PRIVACY_OFFICER)


def _over_de_boer(melder, **inwoner):
    gegevens = {"achternaam": "de Boer", "geboortedatum": "1958-03-14", **inwoner}
    return signaal_receive(melder=melder, data=factories.warm(inwoner=gegevens))


def test_a_waiting_signal_leaves_the_queue_when_its_household_is_restricted(
    huisarts, teamleider, bekende_casus, privacy, login
):
    # Its casus closed, the household is still known: a new signal about it waits in the queue.
    Casus.objects.filter(pk=bekende_casus.pk).update(status=Casus.Status.AFGESLOTEN)
    wachtend = _over_de_boer(huisarts, bsn=factories.BSN)
    assert wachtend.huishouden_id == bekende_casus.huishouden_id and wachtend.in_wachtrij
    assert list(selectors.aanmeldingen_for_user(user=teamleider)) == [wachtend]

    beperk(bekende_casus.huishouden, by=privacy)

    assert not selectors.aanmeldingen_for_user(user=teamleider).exists()
    assert teamleider.pk not in selectors.signaal_viewer_ids(signaal_id=wachtend.pk)
    client = login(teamleider)
    assert wachtend.referentie not in client.get("/signalen/aanmeldingen/").content.decode()
    assert client.get(f"/signalen/aanmeldingen/{wachtend.pk}/").status_code == 404


def test_a_restricted_household_is_no_match_for_a_new_signal(
    melder, huisarts, bekende_casus, privacy
):
    beperk(bekende_casus.huishouden, by=privacy)
    exact = _over_de_boer(huisarts, bsn=factories.BSN)
    assert exact.casus_id is None and exact.huishouden_id != bekende_casus.huishouden_id
    mogelijk = _over_de_boer(melder, postcode="3881 AB", huisnummer="12")
    assert str(bekende_casus.huishouden_id) not in mogelijk.mogelijke_match


def test_a_household_restricted_after_the_signal_came_in_is_no_candidate(
    melder, teamleider, consulent, bekende_casus, privacy, login
):
    signaal = _over_de_boer(melder)
    assert signaal.mogelijke_match == [str(bekende_casus.huishouden_id)]

    beperk(bekende_casus.huishouden, by=privacy)

    assert selectors.match_kandidaten(signaal=signaal) == []
    page = login(teamleider).get(f"/signalen/aanmeldingen/{signaal.pk}/").content.decode()
    assert "Jan" not in page
    with pytest.raises(ValidationError):
        signaal_match_confirm(
            signaal=signaal, huishouden_id=bekende_casus.huishouden_id, by=teamleider
        )
    # Nothing left to judge: the signal can be assigned as a new aanmelding.
    signaal = signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider)
    assert signaal.casus_id != bekende_casus.pk


def test_the_teamleiders_caseload_does_not_count_a_restricted_casus(
    team, teamleider, consulent, bekende_casus, privacy
):
    def open_of(consulent):
        return next(r.open for r in caseload_for_team(team=team) if r.consulent == consulent)

    zonder = Casus.objects.create(huishouden=make_huishouden({})[0], team=team)
    assert (open_of(consulent), zonder_aanspreekpunt_count(team=team)) == (1, 1)
    beperk(bekende_casus.huishouden, by=privacy)
    beperk(zonder.huishouden, by=privacy)
    assert (open_of(consulent), zonder_aanspreekpunt_count(team=team)) == (0, 0)
