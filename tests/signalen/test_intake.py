"""``signaal_receive``: matching, sealing, audit and events in one transaction."""

from __future__ import annotations

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from audit.models import Actie, AuditRecord
from casussen.models import Casus, Gezinslid, Huishouden
from casussen.services.huishouden import huishouden_shred
from signalen.models import Signaal, Status, Toestemming
from signalen.services import signaal_receive
from tests.signalen import factories
from toegang.crypto.models import DataKey
from toegang.crypto.sealing import VERNIETIGD
from toegang.events.models import OutboxEvent
from toegang.roles import Rol


def _counts() -> dict[str, int]:
    return {
        "signalen": Signaal.objects.count(),
        "huishoudens": Huishouden.objects.count(),
        "gezinsleden": Gezinslid.objects.count(),
        "datakeys": DataKey.objects.count(),
        "audit": AuditRecord.objects.count(),
        "events": OutboxEvent.objects.count(),
    }


def test_an_anonymous_signal_gets_a_household_without_members_and_waits_in_the_queue(melder, team):
    signaal = signaal_receive(melder=melder, data=factories.anoniem())

    assert signaal.toestemming == Toestemming.ZONDER
    assert signaal.casus is None
    assert signaal.team == team
    assert signaal.huishouden.gezinsleden.count() == 0
    assert signaal.inwoner is None
    assert signaal.status == Status.ONTVANGEN
    assert signaal.in_wachtrij


def test_an_identified_unknown_resident_gets_a_provisional_household_with_one_member(melder, team):
    signaal = signaal_receive(melder=melder, data=factories.body())

    leden = list(signaal.huishouden.gezinsleden.all())
    assert len(leden) == 1
    assert (leden[0].voornaam, leden[0].achternaam) == ("Jan", "de Boer")
    assert signaal.casus is None
    assert signaal.mogelijke_match == []
    assert signaal.inwoner_gegevens["achternaam"] == "de Boer"


def test_an_exact_bsn_match_joins_the_open_casus_and_touches_it(huisarts, bekende_casus):
    version = bekende_casus.version
    data = factories.body(
        inwoner={"achternaam": "Boer", "bsn": factories.BSN},
        leefgebieden=["gezondheid"],
        urgent=True,
    )

    signaal = signaal_receive(melder=huisarts, data=data)

    bekende_casus.refresh_from_db()
    assert signaal.casus == bekende_casus
    assert signaal.huishouden_id == bekende_casus.huishouden_id
    assert signaal.team_id == bekende_casus.team_id
    assert bekende_casus.version > version
    assert set(bekende_casus.leefgebieden) == {"wonen", "gezondheid"}
    assert bekende_casus.urgent is True
    # the partner-visible state is the same as for an unknown resident
    assert signaal.status == Status.ONTVANGEN


def test_name_and_birth_date_give_only_a_possible_match_never_a_merge(melder, bekende_casus):
    signaal = signaal_receive(melder=melder, data=factories.body())

    assert signaal.casus is None
    assert signaal.huishouden_id != bekende_casus.huishouden_id
    assert signaal.mogelijke_match == [str(bekende_casus.huishouden_id)]


def test_everything_the_melder_wrote_is_sealed_at_rest(melder):
    data = factories.warm(omschrijving="Geheime-zorg-tekst-123")
    signaal = signaal_receive(melder=melder, data=data)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT omschrijving, contactroute, inwoner FROM signalen_signaal WHERE id = %s",
            [signaal.pk.hex if connection.vendor == "sqlite" else signaal.pk],
        )
        row = cursor.fetchone()
    raw = b"".join(bytes(col) for col in row)
    for plain in (b"Geheime-zorg-tekst-123", b"gastvrouw", b"Fatma"):
        assert plain not in raw
    reloaded = Signaal.objects.get(pk=signaal.pk)
    assert reloaded.omschrijving == "Geheime-zorg-tekst-123"
    assert reloaded.inwoner_gegevens == {"voornaam": "Fatma"}


def test_shredding_the_household_destroys_the_signals_content(melder, consulent):
    signaal = signaal_receive(melder=melder, data=factories.body())
    huishouden_shred(huishouden=signaal.huishouden, by=consulent)

    reloaded = Signaal.objects.get(pk=signaal.pk)
    assert reloaded.omschrijving is VERNIETIGD
    assert reloaded.inwoner_gegevens == {}
    assert reloaded.terugkoppeling_voor_melder == ""


def test_receiving_writes_one_audit_record_with_field_names_only(melder):
    signaal = signaal_receive(melder=melder, data=factories.body())

    rec = AuditRecord.objects.get(object_type="signaal", object_id=str(signaal.pk))
    assert rec.actie == Actie.CREATE
    assert rec.user_id == melder.pk
    assert rec.huishouden_id == signaal.huishouden_id
    assert len(rec.persoon_ids) == 1
    assert "inwoner.achternaam" in rec.velden
    assert "de Boer" not in str(rec.__dict__)


def test_a_new_resident_is_named_in_the_signals_one_record_not_in_three(melder):
    before = AuditRecord.objects.count()
    signaal = signaal_receive(melder=melder, data=factories.body())

    assert AuditRecord.objects.count() == before + 1
    rec = AuditRecord.objects.get(object_type="signaal", object_id=str(signaal.pk))
    lid = Gezinslid.objects.get(huishouden=signaal.huishouden)
    assert rec.object_ids == [str(signaal.pk), str(signaal.huishouden_id), str(lid.pk)]
    assert rec.persoon_ids == [str(lid.pk)]


def test_a_signal_joining_a_casus_is_the_melders_signal_and_the_systems_match(
    huisarts, bekende_casus
):
    before = AuditRecord.objects.count()
    data = factories.body(inwoner={"bsn": factories.BSN, "achternaam": "de Boer"})
    signaal = signaal_receive(melder=huisarts, data=data)

    assert signaal.casus_id == bekende_casus.pk
    assert AuditRecord.objects.count() == before + 2
    melding = AuditRecord.objects.get(object_type="signaal", object_id=str(signaal.pk))
    assert melding.user_id == huisarts.pk and melding.actie == Actie.CREATE
    assert melding.object_ids == [str(signaal.pk)]
    assert melding.persoon_ids == []
    assert "huishouden.bsn_index" not in melding.velden

    match = AuditRecord.objects.get(object_type="huishouden", reden="matching")
    assert (match.user_id, match.username) == (None, "systeem")
    assert (match.trigger_user_id, match.trigger_username) == (huisarts.pk, huisarts.username)
    assert match.actie == Actie.UPDATE
    assert match.object_ids == [
        str(signaal.pk),
        str(bekende_casus.huishouden_id),
        str(bekende_casus.pk),
    ]
    leden = Gezinslid.objects.filter(huishouden=bekende_casus.huishouden)
    assert sorted(match.persoon_ids) == sorted(str(pk) for pk in leden.values_list("pk", flat=True))
    assert "huishouden.bsn_index" in match.velden
    assert "casus.leefgebieden" in match.velden
    assert not AuditRecord.objects.filter(user_id=huisarts.pk, actie=Actie.READ).exists()


def test_receiving_emits_signaal_ontvangen_with_ids_and_codes_only(melder, inloophuis, team):
    signaal = signaal_receive(melder=melder, data=factories.body())

    event = OutboxEvent.objects.get(event_type="signaal.ontvangen")
    assert event.aggregate_id == str(signaal.pk)
    assert event.aggregate_version == signaal.version
    assert event.payload == {
        "casus_id": None,
        "team_id": str(team.pk),
        "organisatie_id": str(inloophuis.pk),
        "huishouden_id": str(signaal.huishouden_id),
        # For the beleidsmonitor: codes, no one's data (no buurt known for this signal).
        "organisatie_soort": "inloophuis",
        "toestemming": "met_toestemming",
        "buurt": None,
        "leefgebieden": ["financien", "eenzaamheid"],
    }


def test_a_safety_concern_makes_the_signal_urgent(melder):
    signaal = signaal_receive(melder=melder, data=factories.body(veiligheid=True, urgent=False))
    assert signaal.veiligheid is True
    assert signaal.urgent is True


def test_reference_codes_are_random_and_reveal_nothing(melder):
    codes = [signaal_receive(melder=melder, data=factories.anoniem()).referentie for _ in range(5)]
    assert len(set(codes)) == 5
    assert all(code.startswith("BT-") and len(code) == 12 for code in codes)


@pytest.mark.parametrize(
    "data",
    [
        factories.body(inwoner={"achternaam": "X", "bsn": "123456789"}),
        factories.body(inwoner={"geboortedatum": "1960-02-30"}),
        factories.body(leefgebieden=["astrologie"]),
        factories.body(omschrijving="   "),
        factories.anoniem(inwoner={"voornaam": "Jan"}),
    ],
    ids=["bsn", "date", "leefgebied", "empty", "identifying-anonymous"],
)
def test_nothing_is_half_stored_when_the_input_is_refused(huisarts, data, team):
    before = _counts()
    with pytest.raises(ValidationError):
        signaal_receive(melder=huisarts, data=data)
    assert _counts() == before


def test_nothing_is_half_stored_when_a_late_step_fails(melder, team, monkeypatch):
    """A failure after the household was made rolls the household, key and audit back too."""
    before = _counts()

    def boom(*args, **kwargs):
        raise RuntimeError("event store down")

    monkeypatch.setattr("signalen.services.intake.emit", boom)
    with pytest.raises(RuntimeError):
        signaal_receive(melder=melder, data=factories.body())
    assert _counts() == before


def test_only_melders_may_signal(make_user, team):
    for rol in (Rol.CONSULENT, Rol.TEAMLEIDER, Rol.PRIVACY_OFFICER, Rol.BEHEERDER):
        with pytest.raises(PermissionDenied):
            signaal_receive(melder=make_user(rol), data=factories.body())
    assert not Casus.objects.exists()
    assert not Signaal.objects.exists()


def test_a_referentie_taken_already_is_tried_again_with_a_new_one_and_nothing_half_stored(
    melder, monkeypatch
):
    from signalen.services import intake

    first = signaal_receive(melder=melder, data=factories.body())
    codes = iter([first.referentie, "NIEUW-0001"])
    monkeypatch.setattr(intake, "referentie_new", lambda: next(codes))
    before = _counts()

    signaal = signaal_receive(melder=melder, data=factories.body())

    assert signaal.referentie == "NIEUW-0001"
    # The first attempt's household, gezinslid, data key, audit record and event went
    # with its rollback: one of each, as for any signal.
    after = _counts()
    assert {name: after[name] - before[name] for name in after} == {
        "signalen": 1,
        "huishoudens": 1,
        "gezinsleden": 1,
        "datakeys": 1,
        "audit": 1,
        "events": 1,
    }
