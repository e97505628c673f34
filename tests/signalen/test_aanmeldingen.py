"""The intake queue: who sees it, assignment, possible matches, linking and splitting off."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Actie, AuditRecord
from casussen.models import Casus, Huishouden
from casussen.selectors import casus_viewer_ids
from signalen.models import Signaal, Status
from signalen.selectors import aanmeldingen_for_user
from signalen.services import (
    signaal_assign,
    signaal_link_casus,
    signaal_match_confirm,
    signaal_match_reject,
    signaal_receive,
    signaal_split,
)
from tests.signalen import factories
from tests.toegang.factories import TeamFactory, UserFactory
from toegang.events.models import OutboxEvent
from toegang.roles import Rol

LIJST = "/signalen/aanmeldingen/"


def _events(signaal: Signaal) -> list[str]:
    return list(
        OutboxEvent.objects.filter(aggregate_id=str(signaal.pk))
        .order_by("id")
        .values_list("event_type", flat=True)
    )


def test_the_queue_is_urgent_first_then_oldest(melder, consulent):
    oud = signaal_receive(melder=melder, data=factories.anoniem())
    nieuw = signaal_receive(melder=melder, data=factories.anoniem())
    dringend = signaal_receive(melder=melder, data=factories.anoniem(urgent=True))
    Signaal.objects.filter(pk=oud.pk).update(created_at=timezone.now() - timedelta(days=2))

    assert list(aanmeldingen_for_user(user=consulent)) == [dringend, oud, nieuw]


def test_another_team_and_other_roles_see_nothing_of_the_queue(melder, gemeente, make_user):
    signaal_receive(melder=melder, data=factories.anoniem())
    ander = UserFactory(
        rol=Rol.CONSULENT, organisatie=gemeente, team=TeamFactory(organisatie=gemeente)
    )
    assert not aanmeldingen_for_user(user=ander).exists()
    for rol in (Rol.MELDER, Rol.PRIVACY_OFFICER, Rol.BEHEERDER):
        assert not aanmeldingen_for_user(user=make_user(rol)).exists()


def test_the_queue_page_is_audited_with_the_ids_shown(login, melder, teamleider):
    signalen = [signaal_receive(melder=melder, data=factories.anoniem()) for _ in range(2)]
    response = login(teamleider).get(LIJST)

    assert response.status_code == 200
    html = response.content.decode()
    assert all(s.referentie in html for s in signalen)
    assert 'data-live-refresh="signaal:*"' in html
    rec = AuditRecord.objects.filter(user_id=teamleider.pk, actie=Actie.READ).latest("id")
    assert sorted(rec.object_ids) == sorted(str(s.pk) for s in signalen)


def test_the_detail_page_shows_the_content_and_is_audited(login, melder, consulent):
    signaal = signaal_receive(melder=melder, data=factories.warm())
    html = login(consulent).get(f"{LIJST}{signaal.pk}/").content.decode()
    assert "Moeder wil graag praten" in html
    assert "Via de gastvrouw" in html
    assert "Fatma" in html
    rec = AuditRecord.objects.filter(user_id=consulent.pk, actie=Actie.READ).latest("id")
    assert rec.object_id == str(signaal.pk) and rec.huishouden_id == signaal.huishouden_id


def test_a_teamleider_assigns_an_aanspreekpunt_and_a_casus_opens(melder, teamleider, consulent):
    signaal = signaal_receive(melder=melder, data=factories.body(urgent=True))

    signaal = signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider)

    casus = signaal.casus
    assert casus.aanspreekpunt == consulent
    assert casus.huishouden_id == signaal.huishouden_id
    assert casus.urgent is True
    assert set(casus.leefgebieden) == {"financien", "eenzaamheid"}
    assert signaal.status == Status.OPGEPAKT
    assert consulent.pk in casus_viewer_ids(casus_id=casus.pk)
    assert _events(signaal)[-3:] == [
        "signaal.toegewezen",
        "signaal.gekoppeld",
        "signaal.status_gewijzigd",
    ]
    assert not aanmeldingen_for_user(user=teamleider).exists()


def test_a_consulent_may_take_one_himself_but_not_assign_a_colleague(melder, make_user, consulent):
    collega = make_user(Rol.CONSULENT)
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    with pytest.raises(PermissionDenied):
        signaal_assign(signaal=signaal, aanspreekpunt=collega, by=consulent)
    signaal = signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=consulent)
    assert signaal.casus.aanspreekpunt == consulent


def test_only_a_consulent_of_the_team_can_be_aanspreekpunt(melder, teamleider, gemeente):
    buiten = UserFactory(
        rol=Rol.CONSULENT, organisatie=gemeente, team=TeamFactory(organisatie=gemeente)
    )
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    with pytest.raises(ValidationError):
        signaal_assign(signaal=signaal, aanspreekpunt=buiten, by=teamleider)
    assert not Casus.objects.exists()


def test_assigning_twice_is_refused(melder, teamleider, consulent):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider)
    with pytest.raises(ValidationError):
        signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider)
    assert Casus.objects.count() == 1


def test_the_assign_page_flow_works_without_javascript(login, melder, teamleider, consulent):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    client = login(teamleider)
    response = client.post(f"{LIJST}{signaal.pk}/toewijzen/", {"aanspreekpunt": consulent.pk})
    assert response.status_code == 302 and response["Location"] == LIJST
    signaal.refresh_from_db()
    assert signaal.casus.aanspreekpunt == consulent
    assert "U heeft de aanmelding toegewezen aan" in client.get(LIJST).content.decode()


def test_a_possible_match_must_be_judged_before_assigning(
    melder, teamleider, consulent, bekende_casus
):
    signaal = signaal_receive(melder=melder, data=factories.body())
    assert signaal.mogelijke_match
    with pytest.raises(ValidationError):
        signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider)


def test_confirming_a_match_merges_the_household_and_joins_the_open_casus(
    melder, teamleider, bekende_casus
):
    signaal = signaal_receive(
        melder=melder,
        data=factories.warm(
            inwoner={"achternaam": "de Boer", "geboortedatum": "1958-03-14"},
            omschrijving="Tekst die mee moet verhuizen",
        ),
    )
    provisional = signaal.huishouden_id
    assert signaal.mogelijke_match == [str(bekende_casus.huishouden_id)]

    signaal = signaal_match_confirm(
        signaal=signaal, huishouden_id=bekende_casus.huishouden_id, by=teamleider
    )

    assert signaal.casus == bekende_casus
    assert signaal.huishouden_id == bekende_casus.huishouden_id
    assert signaal.status == Status.OPGEPAKT
    assert not Huishouden.objects.filter(pk=provisional).exists()
    reloaded = Signaal.objects.get(pk=signaal.pk)  # re-sealed with the known household's key
    assert reloaded.omschrijving == "Tekst die mee moet verhuizen"
    assert reloaded.contactroute.startswith("Via de gastvrouw")
    assert "signaal.gekoppeld" in _events(signaal)


def test_rejecting_a_match_keeps_the_signal_waiting_as_new(
    melder, teamleider, consulent, bekende_casus
):
    signaal = signaal_receive(melder=melder, data=factories.body())
    signaal = signaal_match_reject(
        signaal=signaal, huishouden_id=bekende_casus.huishouden_id, by=teamleider
    )
    assert signaal.mogelijke_match == []
    assert signaal.casus is None and signaal.in_wachtrij
    assert (
        signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider).casus
        != bekende_casus
    )


def test_a_match_that_was_not_offered_cannot_be_confirmed(melder, teamleider, bekende_casus):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    with pytest.raises(ValidationError):
        signaal_match_confirm(
            signaal=signaal, huishouden_id=bekende_casus.huishouden_id, by=teamleider
        )


def test_an_anonymous_signal_is_linked_to_a_casus_by_its_reference(
    login, melder, consulent, bekende_casus
):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    client = login(consulent)
    code = signaal.referentie.lower().replace("-", " ")

    response = client.post(
        f"/signalen/casus/{bekende_casus.pk}/koppelen/",
        {"referentie": code},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    signaal.refresh_from_db()
    assert signaal.casus == bekende_casus
    assert signaal.huishouden_id == bekende_casus.huishouden_id
    assert Signaal.objects.get(pk=signaal.pk).omschrijving.startswith("Een oudere bezoeker")
    assert signaal.referentie in response.content.decode()


def test_an_unknown_reference_links_nothing_and_says_so(login, consulent, bekende_casus):
    response = login(consulent).post(
        f"/signalen/casus/{bekende_casus.pk}/koppelen/",
        {"referentie": "BT-2222-2222"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "Geen wachtend signaal" in response.content.decode()


def test_linking_needs_change_access_on_the_casus(melder, make_user, bekende_casus):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    vreemde = make_user(Rol.CONSULENT)
    from django.http import Http404

    with pytest.raises(Http404):
        signaal_link_casus(signaal=signaal, casus=bekende_casus, by=vreemde)
    signaal.refresh_from_db()
    assert signaal.casus is None


def test_a_wrongly_linked_signal_is_split_off_back_into_the_queue(
    huisarts, consulent, bekende_casus
):
    signaal = signaal_receive(
        melder=huisarts, data=factories.body(inwoner={"achternaam": "Boer", "bsn": factories.BSN})
    )
    assert signaal.casus == bekende_casus

    signaal = signaal_split(signaal=signaal, by=consulent)

    assert signaal.casus is None
    assert signaal.huishouden_id != bekende_casus.huishouden_id
    assert signaal.huishouden.gezinsleden.get().achternaam == "Boer"
    assert Signaal.objects.get(pk=signaal.pk).omschrijving.startswith("De post")
    assert signaal in aanmeldingen_for_user(user=consulent)
    assert signaal.status == Status.ONTVANGEN


def test_finishing_an_aanmelding_without_casus_sends_terugkoppeling(login, melder, teamleider):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    response = login(teamleider).post(
        f"{LIJST}{signaal.pk}/afhandelen/",
        {"afhandelen-status": "doorverwezen", "afhandelen-bericht": "Naar het Financieel Café."},
    )
    assert response.status_code == 302
    signaal.refresh_from_db()
    assert signaal.status == Status.DOORVERWEZEN
    assert signaal.terugkoppeling == "Naar het Financieel Café."
    assert not signaal.in_wachtrij


def test_a_queue_action_on_another_teams_signal_is_not_found(login, melder, gemeente):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    ander = UserFactory(
        rol=Rol.TEAMLEIDER, organisatie=gemeente, team=TeamFactory(organisatie=gemeente)
    )
    client = login(ander)
    assert client.get(f"{LIJST}{signaal.pk}/").status_code == 404
    assert (
        client.post(f"{LIJST}{signaal.pk}/toewijzen/", {"aanspreekpunt": ander.pk}).status_code
        == 404
    )
