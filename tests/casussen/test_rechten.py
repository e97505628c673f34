"""The resident's rights as workflows of the privacy officer (AVG art. 12, 16, 17, 18, 21)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Actie, AuditRecord, Doel, Uitkomst
from casussen.errors import CasusConflict
from casussen.models import (
    Casus,
    Gezinslid,
    Huishouden,
    Rechtenverzoek,
    TimelineEntry,
    Verzoekstap,
    Verzoekstatus,
)
from casussen.services import rechten
from casussen.services.betrokkenen import noodtoegang_start
from casussen.services.retention import destroy_household, destroy_refusal
from toegang.crypto.sealing import VERNIETIGD
from toegang.roles import Rol

BSN = "111222333"


@pytest.fixture
def privacy(make_user):
    return make_user(Rol.PRIVACY_OFFICER)


@pytest.fixture
def inwoner_casus(make_casus, consulent) -> Casus:
    return make_casus(
        consulent,
        leden=[
            {
                "voornaam": "Jan",
                "achternaam": "de Boer",
                "bsn": BSN,
                "geboortedatum": date(1958, 3, 14),
            }
        ],
    )


def _registreer(casus, by, soort, **kwargs):
    kwargs.setdefault("reden", "De inwoner belde op 1 december.")
    return rechten.verzoek_registreren(soort=soort, huishouden=casus.huishouden, by=by, **kwargs)


def _records(verzoek):
    return AuditRecord.objects.filter(object_type="rechtenverzoek", object_id=str(verzoek.pk))


# -- deadlines (art. 12) ----------------------------------------------------------


def test_a_request_is_due_one_month_after_receipt(inwoner_casus, privacy):
    verzoek = _registreer(inwoner_casus, privacy, "bezwaar", ontvangen_op=date(2026, 1, 31))
    assert verzoek.termijn == date(2026, 2, 28)
    assert verzoek.status == Verzoekstatus.OPEN
    record = _records(verzoek).get()
    assert (record.actie, record.doel, record.huishouden_id) == (
        Actie.CREATE,
        Doel.RECHTEN,
        inwoner_casus.huishouden_id,
    )
    assert "belde" not in record.reden  # the step's kind, never the text


def test_extending_adds_two_months_once_with_a_reason(inwoner_casus, privacy):
    verzoek = _registreer(inwoner_casus, privacy, "bezwaar", ontvangen_op=date(2026, 1, 10))
    with pytest.raises(ValidationError):
        rechten.verzoek_verlengen(verzoek=verzoek, by=privacy, reden="  ")
    verzoek = rechten.verzoek_verlengen(verzoek=verzoek, by=privacy, reden="Advies nodig")
    assert (verzoek.termijn, verzoek.verlengd) == (date(2026, 4, 10), True)
    with pytest.raises(CasusConflict, match="maar één keer"):
        rechten.verzoek_verlengen(verzoek=verzoek, by=privacy, reden="Nog meer tijd")


def test_an_open_request_past_its_deadline_is_late(inwoner_casus, privacy):
    verzoek = _registreer(
        inwoner_casus, privacy, "bezwaar", ontvangen_op=timezone.localdate() - timedelta(days=40)
    )
    assert verzoek.te_laat


# -- bad input ----------------------------------------------------------------------


def test_a_request_without_reason_is_refused_in_dutch(inwoner_casus, privacy):
    with pytest.raises(ValidationError) as exc:
        _registreer(inwoner_casus, privacy, "wissing", reden="")
    assert exc.value.message_dict["reden"] == ["Geef aan wat de inwoner vraagt."]
    assert not Rechtenverzoek.objects.exists()


def test_a_decision_without_reason_changes_nothing(inwoner_casus, privacy):
    verzoek = _registreer(inwoner_casus, privacy, "beperking")
    with pytest.raises(ValidationError) as exc:
        rechten.verzoek_besluiten(verzoek=verzoek, toewijzen=True, by=privacy, reden="")
    assert exc.value.message_dict["reden"] == ["Geef de reden van het besluit."]
    verzoek.refresh_from_db()
    inwoner_casus.refresh_from_db()
    assert (verzoek.status, inwoner_casus.beperkt) == (Verzoekstatus.OPEN, False)


def test_someone_not_privacy_officer_may_not_decide_and_the_attempt_is_audited(
    inwoner_casus, privacy, consulent
):
    verzoek = _registreer(inwoner_casus, privacy, "wissing")
    with pytest.raises(PermissionDenied):
        rechten.verzoek_besluiten(verzoek=verzoek, toewijzen=True, by=consulent, reden="Weg")
    denied = AuditRecord.objects.get(user_id=consulent.pk, uitkomst=Uitkomst.DENIED)
    assert denied.object_id == str(verzoek.pk)
    assert not Huishouden.objects.get(pk=inwoner_casus.huishouden_id).is_vernietigd


def test_a_correction_needs_a_valid_new_value(inwoner_casus, privacy):
    lid = inwoner_casus.huishouden.gezinsleden.get()
    with pytest.raises(ValidationError) as exc:
        _registreer(
            inwoner_casus, privacy, "correctie", gezinslid=lid, veld="bsn", nieuwe_waarde="123"
        )
    assert exc.value.message_dict["nieuwe_waarde"] == ["Dit is geen geldig BSN (elfproef)."]


def test_a_decided_request_cannot_be_decided_again(inwoner_casus, privacy):
    verzoek = _registreer(inwoner_casus, privacy, "bezwaar")
    rechten.verzoek_besluiten(verzoek=verzoek, toewijzen=False, by=privacy, reden="Wettelijke taak")
    with pytest.raises(CasusConflict, match="al besloten"):
        rechten.verzoek_besluiten(verzoek=verzoek, toewijzen=True, by=privacy, reden="Toch wel")


# -- correction (art. 16) ----------------------------------------------------------


def test_a_granted_correction_rectifies_keeps_the_old_value_and_tells_the_consulent(
    inwoner_casus, privacy, consulent, login
):
    lid = inwoner_casus.huishouden.gezinsleden.get()
    verzoek = _registreer(
        inwoner_casus,
        privacy,
        "correctie",
        gezinslid=lid,
        veld="achternaam",
        nieuwe_waarde="de Boer-Jansen",
    )
    rechten.verzoek_besluiten(
        verzoek=verzoek, toewijzen=True, by=privacy, reden="Klopt, paspoort gezien"
    )

    lid = Gezinslid.objects.get(pk=lid.pk)
    assert lid.achternaam == "de Boer-Jansen"
    stap = Verzoekstap.objects.get(verzoek=verzoek, soort=Verzoekstap.Soort.UITGEVOERD)
    assert (stap.oude_waarde, stap.nieuwe_waarde) == ("de Boer", "de Boer-Jansen")
    verzoek.refresh_from_db()
    assert verzoek.status == Verzoekstatus.UITGEVOERD
    record = _records(verzoek).filter(actie=Actie.UPDATE).get()
    assert record.velden == ["achternaam"]
    assert record.persoon_ids == [str(lid.pk)]

    page = login(consulent).get(reverse("casussen:casus", args=[inwoner_casus.pk]))
    text = page.content.decode()
    assert "Gegevens gecorrigeerd (AVG art. 16)" in text
    assert "Was: de Boer. Nu: de Boer-Jansen." in text


def test_a_corrected_name_is_found_by_the_new_blind_index(inwoner_casus, privacy):
    from casussen.matching import resident_lookup

    lid = inwoner_casus.huishouden.gezinsleden.get()
    verzoek = _registreer(
        inwoner_casus,
        privacy,
        "correctie",
        gezinslid=lid,
        veld="geboortedatum",
        nieuwe_waarde="15-03-1958",
    )
    rechten.verzoek_besluiten(verzoek=verzoek, toewijzen=True, by=privacy, reden="Akte gezien")
    huishoudens, _ = resident_lookup(achternaam="de Boer", geboortedatum=date(1958, 3, 15))
    assert inwoner_casus.huishouden_id in {h for h in huishoudens}


# -- restriction (art. 18) ---------------------------------------------------------


def test_a_restriction_hides_and_freezes_the_casus_until_it_is_lifted(
    inwoner_casus, privacy, consulent, login
):
    verzoek = _registreer(inwoner_casus, privacy, "beperking")
    rechten.verzoek_besluiten(
        verzoek=verzoek, toewijzen=True, by=privacy, reden="Juistheid betwist"
    )
    client = login(consulent)
    detail = reverse("casussen:casus", args=[inwoner_casus.pk])
    assert client.get(detail).status_code == 404
    status = reverse("casussen:status", args=[inwoner_casus.pk])
    assert client.post(status, {"status": "monitoring"}).status_code == 404
    assert client.get(f"/api/v1/casussen/{inwoner_casus.pk}").status_code == 404
    assert AuditRecord.objects.filter(user_id=consulent.pk, uitkomst=Uitkomst.DENIED).exists()
    assert destroy_refusal(inwoner_casus.huishouden) is not None

    # The privacy officer still reads it.
    page = login(privacy).get(reverse("casussen:rechtenverzoek", args=[verzoek.pk]))
    assert "Beperking van kracht" in page.content.decode()
    assert "de Boer" in page.content.decode()

    with pytest.raises(ValidationError):
        rechten.beperking_opheffen(verzoek=verzoek, by=privacy, reden="")
    rechten.beperking_opheffen(verzoek=verzoek, by=privacy, reden="Gegevens juist bevonden")
    assert login(consulent).get(detail).status_code == 200
    assert _records(verzoek).filter(reden="opgeheven").exists()


# -- objection and erasure (art. 21, 17) -------------------------------------------


def test_a_granted_objection_is_on_the_consulents_timeline(inwoner_casus, privacy):
    verzoek = _registreer(inwoner_casus, privacy, "bezwaar")
    rechten.verzoek_besluiten(
        verzoek=verzoek, toewijzen=True, by=privacy, reden="Geen wettelijke taak meer"
    )
    entry = TimelineEntry.objects.get(casus=inwoner_casus, soort=TimelineEntry.Soort.BEZWAAR)
    assert "Geen wettelijke taak meer" in entry.tekst


def test_granted_erasure_destroys_the_household_by_the_retention_path(inwoner_casus, privacy):
    lid_pk = inwoner_casus.huishouden.gezinsleden.get().pk
    verzoek = _registreer(inwoner_casus, privacy, "wissing")
    rechten.verzoek_besluiten(verzoek=verzoek, toewijzen=True, by=privacy, reden="Geen grond meer")

    huishouden = Huishouden.objects.get(pk=inwoner_casus.huishouden_id)
    assert huishouden.is_vernietigd
    assert not Gezinslid.objects.filter(pk=lid_pk).exists()
    shred = AuditRecord.objects.get(actie=Actie.SHRED, object_type="huishouden")
    assert shred.user_id == privacy.pk
    verzoek = Rechtenverzoek.objects.get(pk=verzoek.pk)  # the request outlives the household
    assert (verzoek.status, verzoek.besloten_door_id) == (Verzoekstatus.UITGEVOERD, privacy.pk)
    assert not verzoek.stappen.exists()  # its texts went with the household


def test_erasure_under_an_open_noodtoegang_is_refused_and_nothing_changes(
    inwoner_casus, privacy, collega
):
    noodtoegang_start(casus_id=inwoner_casus.pk, by=collega, reden="Crisis, aanspreekpunt ziek")
    verzoek = _registreer(inwoner_casus, privacy, "wissing")
    with pytest.raises(CasusConflict, match="noodtoegang"):
        rechten.verzoek_besluiten(verzoek=verzoek, toewijzen=True, by=privacy, reden="Weg")
    verzoek.refresh_from_db()
    assert verzoek.status == Verzoekstatus.OPEN
    assert not Huishouden.objects.get(pk=inwoner_casus.huishouden_id).is_vernietigd


def test_a_restricted_household_is_not_destroyed(inwoner_casus, privacy):
    beperking = _registreer(inwoner_casus, privacy, "beperking")
    rechten.verzoek_besluiten(verzoek=beperking, toewijzen=True, by=privacy, reden="Betwist")
    wissing = _registreer(inwoner_casus, privacy, "wissing")
    with pytest.raises(CasusConflict, match="beperking"):
        rechten.verzoek_besluiten(verzoek=wissing, toewijzen=True, by=privacy, reden="Weg")
    assert Gezinslid.objects.filter(huishouden_id=inwoner_casus.huishouden_id).exists()


def test_a_destroyed_households_request_page_says_so(inwoner_casus, privacy, login):
    verzoek = _registreer(inwoner_casus, privacy, "bezwaar")
    destroy_household(huishouden=inwoner_casus.huishouden, by=None, reden="termijn")
    page = login(privacy).get(reverse("casussen:rechtenverzoek", args=[verzoek.pk]))
    text = page.content.decode()
    assert "De gegevens van dit huishouden zijn vernietigd." in text
    assert str(VERNIETIGD) not in text


# -- pages --------------------------------------------------------------------------


def test_the_privacy_officer_registers_a_request_by_bsn(inwoner_casus, privacy, login):
    client = login(privacy)
    response = client.post(
        reverse("casussen:rechtenverzoeken"),
        {
            "bsn": BSN,
            "soort": "correctie",
            "reden": "Naam verkeerd gespeld",
            "veld": "voornaam",
            "nieuwe_waarde": "Johan",
        },
    )
    verzoek = Rechtenverzoek.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casussen:rechtenverzoek", args=[verzoek.pk])
    assert (verzoek.soort, verzoek.veld) == ("correctie", "voornaam")
    listing = client.get(reverse("casussen:rechtenverzoeken"))
    assert verzoek.referentie in listing.content.decode()
    assert "In behandeling" in listing.content.decode()
    read = AuditRecord.objects.filter(object_type="rechtenverzoeken", user_id=privacy.pk).last()
    assert read.object_ids == [str(verzoek.pk)]


def test_registering_without_reason_shows_a_dutch_message(inwoner_casus, privacy, login):
    response = login(privacy).post(
        reverse("casussen:rechtenverzoeken"), {"bsn": BSN, "soort": "wissing", "reden": ""}
    )
    assert response.status_code == 400
    assert "Geef aan wat de inwoner vraagt." in response.content.decode()
    assert not Rechtenverzoek.objects.exists()


def test_an_unknown_resident_is_a_dutch_message(db, privacy, login):
    response = login(privacy).post(
        reverse("casussen:rechtenverzoeken"), {"bsn": BSN, "soort": "wissing", "reden": "Weg"}
    )
    assert response.status_code == 400
    assert "Geen inwoner gevonden met deze gegevens." in response.content.decode()


def test_a_consulent_gets_403_on_the_page_and_the_attempt_is_audited(
    inwoner_casus, privacy, consulent, login
):
    verzoek = _registreer(inwoner_casus, privacy, "wissing")
    client = login(consulent)
    assert client.get(reverse("casussen:rechtenverzoeken")).status_code == 403
    url = reverse("casussen:rechtenverzoek_besluit", args=[verzoek.pk])
    assert client.post(url, {"besluit": "toewijzen", "reden": "Weg"}).status_code == 403
    denied = AuditRecord.objects.filter(user_id=consulent.pk, uitkomst=Uitkomst.DENIED)
    assert set(denied.values_list("object_id", flat=True)) == {"", str(verzoek.pk)}
    assert not Huishouden.objects.get(pk=inwoner_casus.huishouden_id).is_vernietigd


def test_deciding_on_the_page_with_and_without_reason(inwoner_casus, privacy, login):
    verzoek = _registreer(inwoner_casus, privacy, "bezwaar")
    client = login(privacy)
    url = reverse("casussen:rechtenverzoek_besluit", args=[verzoek.pk])
    refused = client.post(url, {"besluit": "afwijzen", "reden": ""})
    assert refused.status_code == 400
    assert "Geef de reden." in refused.content.decode()
    done = client.post(url, {"besluit": "afwijzen", "reden": "Wettelijke taak gaat voor"})
    assert done.status_code == 302
    verzoek.refresh_from_db()
    assert verzoek.status == Verzoekstatus.AFGEWEZEN


def test_the_demo_has_one_open_request_of_each_kind_for_privacy(db, client):
    from io import StringIO

    from django.core.management import call_command

    from toegang.models import User

    call_command("demo", stdout=StringIO())
    call_command("demo", stdout=StringIO())  # idempotent
    open_ = Rechtenverzoek.objects.filter(status=Verzoekstatus.OPEN)
    assert sorted(open_.values_list("soort", flat=True)) == [
        "beperking",
        "bezwaar",
        "correctie",
        "wissing",
    ]
    assert set(open_.values_list("ingediend_door__username", flat=True)) == {"privacy"}
    correctie = open_.get(soort="correctie")
    assert correctie.veld == "telefoon" and correctie.gezinslid_id is not None
    from tests.auth import verified_login

    page = verified_login(client, User.objects.get(username="privacy")).get(
        reverse("casussen:rechtenverzoeken")
    )
    assert page.content.decode().count("In behandeling") == 4
