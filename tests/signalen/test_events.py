"""Who gets signal events, who may watch a signal, and which webhooks get status events."""

from __future__ import annotations

from signalen import events as signaal_events
from signalen.services import signaal_assign, signaal_receive, signaal_terugkoppelen
from tests.signalen import factories
from toegang import events
from toegang.events.models import OutboxEvent
from toegang.roles import Rol


def _event(event_type: str, signaal) -> OutboxEvent:
    return OutboxEvent.objects.filter(event_type=event_type, aggregate_id=str(signaal.pk)).latest(
        "id"
    )


def test_a_new_aanmelding_goes_to_the_team_and_the_melders_organisation(
    melder, inloophuis, consulent, teamleider, huisarts, make_user, gemeente
):
    collega = factories.melder_of(inloophuis)
    signaal = signaal_receive(melder=melder, data=factories.anoniem())

    ids = events.recipients_for(_event("signaal.ontvangen", signaal))

    assert {melder.pk, collega.pk, consulent.pk, teamleider.pk} <= ids
    assert huisarts.pk not in ids
    assert make_user(Rol.PRIVACY_OFFICER).pk not in events.recipients_for(
        _event("signaal.ontvangen", signaal)
    )


def test_a_matched_signal_goes_to_the_casus_viewers(huisarts, consulent, bekende_casus):
    signaal = signaal_receive(
        melder=huisarts, data=factories.body(inwoner={"achternaam": "Boer", "bsn": factories.BSN})
    )
    assert consulent.pk in events.recipients_for(_event("signaal.ontvangen", signaal))


def test_status_events_reach_the_melders_organisation_and_its_webhooks_only(
    melder, inloophuis, teamleider, consulent
):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    signaal = signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider)
    signaal_terugkoppelen(signaal=signaal, status="afgerond", bericht="", by=consulent)
    event = _event("signaal.status_gewijzigd", signaal)

    assert melder.pk in events.recipients_for(event)
    assert signaal_events.webhook_organisatie(event) == inloophuis.pk
    from toegang.events.registry import webhook_organisatie

    assert webhook_organisatie(event) == str(inloophuis.pk)


def test_events_carry_ids_and_the_version_only(melder, teamleider, consulent):
    signaal = signaal_receive(melder=melder, data=factories.warm(omschrijving="Persoonlijk"))
    signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider)
    for event in OutboxEvent.objects.filter(aggregate_type="signaal"):
        text = str(event.payload)
        assert "Persoonlijk" not in text and "Fatma" not in text and "gastvrouw" not in text


def test_who_may_watch_a_signal_live(melder, huisarts, consulent, make_user, teamleider):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())
    assert events.may_access(melder, "signaal", str(signaal.pk))
    assert events.may_access(consulent, "signaal", str(signaal.pk))
    assert not events.may_access(huisarts, "signaal", str(signaal.pk))
    assert not events.may_access(make_user(Rol.PRIVACY_OFFICER), "signaal", str(signaal.pk))
    signaal_assign(signaal=signaal, aanspreekpunt=consulent, by=teamleider)
    assert events.may_access(consulent, "signaal", str(signaal.pk))
    assert not events.may_access(make_user(Rol.CONSULENT), "signaal", str(signaal.pk))
