"""The sociaal vangnet overleg: sharing basis, time- and purpose-bound access, afspraken."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord, Doel, Uitkomst
from audit.review import review_queue
from casussen.overleg import selectors as sel
from casussen.overleg import services as overleg
from casussen.overleg.models import AfspraakEigenaar, Agendapunt
from casussen.plan.constants import ActieStatus, Trede
from casussen.plan.services.doelen import doel_add
from casussen.plan.services.plan import plan_create
from tests.casussen.overleg_factories import bring_in, inbreng, make_scene
from tests.toegang.events.helpers import captured_events
from toegang.events import registry
from toegang.roles import Rol

pytestmark = pytest.mark.django_db

A_DAY_LATER = 24 + 4  # hours: past the session's end (start + 3 h) plus the 24 h window


@pytest.fixture
def scene(make_user, team):
    return make_scene(make_user, team)


@pytest.fixture
def published(scene):
    punt = bring_in(scene)
    scene.sessie = overleg.sessie_publiceren(sessie=scene.sessie, by=scene.voorzitter)
    return Agendapunt.objects.get(pk=punt.pk)


def _afspraak(scene, punt, **overrides):
    values = {
        "omschrijving": "Betalingsregeling voorstellen en huisbezoek plannen.",
        "eigenaar_soort": AfspraakEigenaar.ORGANISATIE,
        "organisatie": scene.corporatie,
        "datum": timezone.localdate() + timedelta(days=14),
        "trede": Trede.ALGEMENE_VOORZIENING,
    }
    values.update(overrides)
    return overleg.afspraak_vastleggen(punt=punt, by=scene.voorzitter, **values)


def test_the_casusinbreng_is_sealed_with_the_households_key(scene):
    punt = bring_in(scene)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT hulpvraag, toelichting, leefgebieden FROM casussen_agendapunt WHERE id = %s",
            [punt.pk.hex if connection.vendor == "sqlite" else punt.pk],
        )
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "Huurachterstand" not in raw and "woningcorporatie" not in raw and "wonen" not in raw
    fresh = Agendapunt.objects.get(pk=punt.pk)
    assert fresh.hulpvraag.startswith("Huurachterstand")
    assert fresh.leefgebied_codes() == ["financien", "wonen"]


def test_bringing_in_without_a_sharing_basis_is_refused(scene):
    with pytest.raises(overleg.GeenDeelgrondslag):
        bring_in(scene, grondslag="")
    assert not scene.sessie.agenda.exists()


def test_another_legal_ground_needs_an_explanation(scene):
    with pytest.raises(ValidationError) as exc:
        bring_in(scene, grondslag="vitaal_belang", toelichting=" ")
    assert "toelichting" in exc.value.message_dict


def test_sharing_with_someone_outside_the_overleg_is_refused(scene, make_user):
    with pytest.raises(PermissionDenied):
        bring_in(scene, gedeeld_met=[make_user(Rol.CONSULENT)])
    with pytest.raises(
        PermissionDenied
    ):  # a standing participant whose organisation is not flagged
        bring_in(scene, gedeeld_met=[scene.buitenstaander])
    assert not scene.sessie.agenda.exists()


def test_only_the_aanspreekpunt_brings_a_casus_in(scene, make_user):
    with pytest.raises(PermissionDenied):
        overleg.casus_inbrengen(
            sessie=scene.sessie, casus=scene.casus, by=make_user(Rol.CONSULENT),
            gedeeld_met=[], **inbreng(),
        )  # fmt: skip


def test_participants_see_nothing_before_publication(scene):
    punt = bring_in(scene)
    with pytest.raises(Http404):
        sel.sessie_get_for_user(user=scene.deelnemer, sessie_id=scene.sessie.pk)
    assert not sel.may_view_punt(scene.deelnemer, punt)


def test_after_publication_each_participant_sees_only_what_is_shared_with_them(scene, published):
    assert sel.may_view_punt(scene.deelnemer, published)
    assert not sel.may_view_punt(scene.deelnemer2, published)
    assert sel.may_view_sessie(scene.deelnemer2, scene.sessie)  # sees the agenda: it exists
    assert not sel.may_view_sessie(scene.buitenstaander, scene.sessie)  # not flagged: nothing


def test_a_day_after_the_session_participants_see_nothing(scene, published, settings):
    settings.OVERLEG_KLOKVERSCHUIVING_UREN = A_DAY_LATER
    assert not sel.may_view_punt(scene.deelnemer, published)
    with pytest.raises(Http404):
        sel.sessie_get_for_user(user=scene.deelnemer, sessie_id=scene.sessie.pk)
    # the chair keeps the agenda and attendance, not the summaries
    assert sel.may_view_sessie(scene.voorzitter, scene.sessie)
    assert not sel.may_view_punt(scene.voorzitter, published)


def test_the_access_window_is_a_setting(scene, published, settings):
    settings.OVERLEG_TOEGANG_UREN = 48
    settings.OVERLEG_KLOKVERSCHUIVING_UREN = A_DAY_LATER
    assert sel.may_view_punt(scene.deelnemer, published)


def test_an_afspraak_without_owner_or_date_is_a_form_error(scene, published):
    with pytest.raises(ValidationError) as exc:
        _afspraak(scene, published, eigenaar_soort="", datum=None)
    assert {"eigenaar_soort", "datum"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        _afspraak(scene, published, organisatie=None)
    assert "organisatie" in exc.value.message_dict
    assert not published.afspraken.exists()


def test_a_confirmed_afspraak_is_a_plan_action_only_its_organisation_updates(scene, published):
    afspraak = _afspraak(scene, published)
    plan = plan_create(casus=scene.casus, startdatum=date(2026, 1, 5), by=scene.aanspreekpunt)
    doel = doel_add(
        plan=plan,
        casus=scene.casus,
        by=scene.aanspreekpunt,
        tekst="Wonen blijft",
        leefgebieden=["wonen"],
        gezinsleden=list(scene.casus.huishouden.gezinsleden.values_list("pk", flat=True)),
    )
    with pytest.raises(Http404):  # not the aanspreekpunt
        overleg.afspraak_bevestigen(afspraak=afspraak, doel=doel, by=scene.voorzitter)
    actie = overleg.afspraak_bevestigen(afspraak=afspraak, doel=doel, by=scene.aanspreekpunt)
    assert actie.trede == Trede.ALGEMENE_VOORZIENING
    assert actie.eigenaar_organisatie_id == scene.corporatie.pk
    assert actie.deadline == afspraak.datum

    afspraak.refresh_from_db()
    overleg.afspraak_status_set(afspraak=afspraak, status=ActieStatus.BEZIG, by=scene.deelnemer)
    actie.refresh_from_db()
    assert actie.status == ActieStatus.BEZIG
    with pytest.raises(Http404):  # another organisation does not even find it
        sel.afspraak_for_owner(user=scene.deelnemer2, afspraak_id=afspraak.pk)
    with pytest.raises(PermissionDenied):
        overleg.afspraak_status_set(
            afspraak=afspraak, status=ActieStatus.KLAAR, by=scene.deelnemer2
        )


def test_each_participant_gets_only_their_organisations_afspraken(scene, published):
    ours = _afspraak(scene, published)
    _afspraak(scene, published, organisatie=scene.welzijn)
    _afspraak(scene, published, eigenaar_soort=AfspraakEigenaar.INWONER, organisatie=None)
    assert list(sel.afspraken_for_organisatie(user=scene.deelnemer)) == [ours]


def test_the_verslag_is_sealed_with_the_casus_and_on_its_timeline(scene, published):
    overleg.verslag_vastleggen(
        punt=published, tekst="Corporatie neemt contact op.", by=scene.voorzitter
    )
    entry = scene.casus.tijdlijn.get(soort="overleg")
    assert entry.tekst == "Corporatie neemt contact op."


def test_publishing_and_afspraken_emit_events_to_whoever_may_see_the_session(
    scene, published, settings
):
    with captured_events() as emitted:
        afspraak = _afspraak(scene, published)
    assert [e.event_type for e in emitted] == ["overleg.afspraak_vastgelegd"]
    assert emitted[0].payload["organisatie_id"] == str(scene.corporatie.pk)
    assert str(afspraak.pk) == emitted[0].payload["afspraak_id"]
    recipients = registry.recipients_for(emitted[0])
    expected = {
        scene.voorzitter.pk,
        scene.aanspreekpunt.pk,
        scene.deelnemer.pk,
        scene.deelnemer2.pk,
    }
    assert recipients == expected
    settings.OVERLEG_KLOKVERSCHUIVING_UREN = A_DAY_LATER
    assert registry.recipients_for(emitted[0]) == {scene.voorzitter.pk, scene.aanspreekpunt.pk}


def test_the_privacy_officer_reviews_every_sharing_basis(scene, published):
    items = [i for i in review_queue() if i.soort == "deelgrondslag"]
    assert len(items) == 1
    assert items[0].user_id == scene.aanspreekpunt.pk
    assert items[0].reden.startswith("Toestemming van de inwoner")


# -- pages ---------------------------------------------------------------------------------


def test_a_participant_sees_the_shared_summary_and_the_other_only_that_it_exists(
    scene, published, login
):
    client = login(scene.deelnemer)
    url = reverse("casussen:overleg:sessie", args=[scene.sessie.pk])
    page = client.get(url).content.decode()
    assert "Huurachterstand" in page
    read = AuditRecord.objects.filter(user_id=scene.deelnemer.pk, doel=Doel.OVERLEG).last()
    assert read.actie == "read" and str(published.pk) in read.object_ids
    client = login(scene.deelnemer2)
    page = client.get(url).content.decode()
    assert "Huurachterstand" not in page
    assert "Casus 1: besproken zonder uw organisatie" in page


def test_opening_an_item_after_access_ended_is_a_404_and_audited(scene, published, login, settings):
    client = login(scene.deelnemer)
    url = reverse("casussen:overleg:punt", args=[published.pk])
    assert client.get(url).status_code == 200
    settings.OVERLEG_KLOKVERSCHUIVING_UREN = A_DAY_LATER
    assert client.get(url).status_code == 404
    denied = AuditRecord.objects.filter(user_id=scene.deelnemer.pk, uitkomst=Uitkomst.DENIED)
    assert denied.filter(object_id=str(published.pk), doel=Doel.OVERLEG).exists()


def test_bringing_in_without_a_basis_in_the_form_is_a_403_that_keeps_the_text(scene, login):
    client = login(scene.aanspreekpunt)
    data = {**inbreng(grondslag=""), "sessie": scene.sessie.pk, "gedeeld_met": [scene.deelnemer.pk]}
    response = client.post(reverse("casussen:overleg:inbrengen", args=[scene.casus.pk]), data)
    assert response.status_code == 403
    page = response.content.decode()
    assert "grondslag voor het delen" in page and "Huurachterstand" in page
    assert AuditRecord.objects.filter(
        user_id=scene.aanspreekpunt.pk, uitkomst=Uitkomst.DENIED, object_type="casusinbreng"
    ).exists()


def test_an_afspraak_form_without_owner_or_date_shows_dutch_errors(scene, published, login):
    client = login(scene.voorzitter)
    url = reverse("casussen:overleg:afspraak_nieuw", args=[published.pk])
    response = client.post(url, {"omschrijving": "Huisbezoek", "trede": "2"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Kies wie de afspraak uitvoert." in page
    assert "Vul de datum in waarop de afspraak klaar moet zijn." in page


# -- API -----------------------------------------------------------------------------------


def test_the_api_agenda_shows_only_what_is_shared_and_nothing_after_the_window(
    scene, published, login, settings
):
    url = f"/api/v1/overleg/sessies/{scene.sessie.pk}/agenda"
    body = login(scene.deelnemer).get(url).json()
    assert body["agenda"][0]["gedeeld"] is True
    assert body["agenda"][0]["samenvatting"]["leefgebieden"] == ["financien", "wonen"]
    body = login(scene.deelnemer2).get(url).json()
    assert body["agenda"][0] == {
        "id": str(published.pk),
        "volgnummer": 1,
        "casus_referentie": scene.casus.referentie,
        "gedeeld": False,
        "samenvatting": None,
    }
    settings.OVERLEG_KLOKVERSCHUIVING_UREN = A_DAY_LATER
    response = login(scene.deelnemer).get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_partner_system_updates_its_own_afspraak_and_no_other(scene, published, login):
    afspraak = _afspraak(scene, published)
    plan = plan_create(casus=scene.casus, startdatum=date(2026, 1, 5), by=scene.aanspreekpunt)
    doel = doel_add(
        plan=plan,
        casus=scene.casus,
        by=scene.aanspreekpunt,
        tekst="Wonen blijft",
        leefgebieden=["wonen"],
        gezinsleden=list(scene.casus.huishouden.gezinsleden.values_list("pk", flat=True)),
    )
    overleg.afspraak_bevestigen(afspraak=afspraak, doel=doel, by=scene.aanspreekpunt)
    client = login(scene.deelnemer)
    listed = client.get("/api/v1/overleg/afspraken").json()
    assert [a["id"] for a in listed] == [str(afspraak.pk)]
    url = f"/api/v1/overleg/afspraken/{afspraak.pk}"
    bad = client.patch(url, {"status": "half"}, content_type="application/json")
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    ok = client.patch(url, {"status": "klaar"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "klaar"
    other = login(scene.deelnemer2).patch(url, {"status": "open"}, content_type="application/json")
    assert other.status_code == 404
    assert AuditRecord.objects.filter(
        user_id=scene.deelnemer2.pk, uitkomst=Uitkomst.DENIED, object_type="afspraak"
    ).exists()


def test_the_demo_has_an_overleg_with_a_published_session_and_the_next_to_publish():
    from io import StringIO

    from django.core.management import call_command

    from casussen.overleg.models import Overleg

    call_command("demo", stdout=StringIO())
    call_command("demo", stdout=StringIO())  # idempotent
    overleg_ = Overleg.objects.get()
    sessies = list(overleg_.sessies.order_by("begint_op"))
    assert [s.is_gepubliceerd for s in sessies] == [True, False]
    vorige = sessies[0]
    assert vorige.agenda.get().afspraken.count() == 1
    welzijn = overleg_.deelnemers.get(username="welzijn")
    assert not sel.may_view_sessie(welzijn, vorige)  # its window is over
    assert list(sel.afspraken_for_organisatie(user=welzijn))  # their afspraak stays


def test_after_the_window_the_chair_keeps_agenda_and_attendance_and_writes_the_verslag(
    scene, published, login, settings
):
    overleg.aanwezigheid_vastleggen(
        sessie=scene.sessie, aanwezig=[scene.deelnemer, scene.voorzitter], by=scene.voorzitter
    )
    settings.OVERLEG_KLOKVERSCHUIVING_UREN = A_DAY_LATER
    client = login(scene.voorzitter)
    page = client.get(reverse("casussen:overleg:sessie", args=[scene.sessie.pk])).content.decode()
    assert f"Agendapunt 1: casus {scene.casus.referentie}" in page
    assert "De samenvatting is niet meer in te zien." in page
    assert "Huurachterstand" not in page
    assert scene.deelnemer.get_username() in page or scene.deelnemer.get_full_name() in page
    url = reverse("casussen:overleg:verslag", args=[published.pk])
    assert client.post(url, {"verslag": "Afgesproken: huisbezoek."}).status_code == 302
    published.refresh_from_db()
    assert published.verslag == "Afgesproken: huisbezoek."


def test_the_chair_plans_the_next_session_and_nobody_else(scene, login):
    from audit.models import AuditRecord

    url = reverse("casussen:overleg:sessie_nieuw", args=[scene.overleg.pk])
    data = {"begint_op": "2027-01-12T10:00", "duur": "120"}
    assert login(scene.aanspreekpunt).post(url, data).status_code == 404
    assert AuditRecord.objects.filter(
        user_id=scene.aanspreekpunt.pk, uitkomst=Uitkomst.DENIED, object_type="overleg"
    ).exists()
    client = login(scene.voorzitter)
    bad = client.post(url, {"begint_op": "", "duur": "120"})
    assert bad.status_code == 400
    response = client.post(url, data)
    assert response.status_code == 302
    assert scene.overleg.sessies.count() == 2


def test_a_teamleider_starts_an_overleg_with_participants_and_chairs_it(scene, login):
    client = login(scene.voorzitter)
    page = client.get("/casussen/overleg/nieuw/")
    assert page.status_code == 200
    text = page.content.decode()
    assert scene.corporatie.naam in text  # a partner organisation's participant is offered
    response = client.post(
        "/casussen/overleg/nieuw/",
        {
            "naam": "Overleg Noord",
            "schema": "Elke eerste maandag",
            "deelnemers": [scene.deelnemer.pk],
        },
    )
    assert response.status_code == 302
    nieuw = scene.voorzitter.overleggen_als_voorzitter.get(naam="Overleg Noord")
    assert list(nieuw.deelnemers.all()) == [scene.deelnemer]
    overzicht = client.get("/casussen/overleg/").content.decode()
    assert "Nieuwe sessie van Overleg Noord" in overzicht.split("<main", 1)[1]
    assert AuditRecord.objects.filter(object_type="overleg", object_id=str(nieuw.pk)).exists()


def test_a_new_overleg_needs_a_name_and_keeps_what_was_typed(scene, login):
    client = login(scene.voorzitter)
    response = client.post("/casussen/overleg/nieuw/", {"naam": "", "schema": "Elke maandag"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Elke maandag" in text and "error-summary" in text


def test_a_melder_cannot_start_an_overleg(scene, login):
    assert login(scene.deelnemer).get("/casussen/overleg/nieuw/").status_code == 403


def test_the_page_and_the_api_read_the_afspraken_through_one_audited_selector(
    scene, published, login
):
    ours = _afspraak(scene, published)
    _afspraak(scene, published, organisatie=scene.welzijn)
    assert sel.afspraken_read(user=scene.deelnemer) == [ours]
    client = login(scene.deelnemer)
    assert client.get(reverse("casussen:overleg:mijn_afspraken")).status_code == 200
    assert client.get("/api/v1/overleg/afspraken").status_code == 200
    reads = AuditRecord.objects.filter(
        user_id=scene.deelnemer.pk, object_type="afspraak", actie="read"
    ).order_by("id")
    assert reads.count() == 3
    assert {(tuple(r.object_ids), tuple(r.velden), r.doel) for r in reads} == {
        ((str(ours.pk),), tuple(sel.AFSPRAAK_VELDEN), Doel.OVERLEG)
    }


def test_the_chairs_verslag_form_shows_a_dutch_error_or_saves_it(scene, published, login):
    from django.contrib.messages import get_messages

    client = login(scene.voorzitter)
    url = reverse("casussen:overleg:verslag", args=[published.pk])
    empty = client.post(url, {"verslag": ""})
    assert [str(m) for m in get_messages(empty.wsgi_request)] == ["Schrijf het verslag."]
    assert not scene.casus.tijdlijn.filter(soort="overleg").exists()
    saved = client.post(url, {"verslag": "Corporatie belt de inwoner."})
    assert [str(m) for m in get_messages(saved.wsgi_request)][-1] == (
        "Het verslag is bij de casus opgeslagen."
    )
    assert scene.casus.tijdlijn.get(soort="overleg").tekst == "Corporatie belt de inwoner."


def test_an_item_brought_in_before_a_restriction_is_gone_from_the_overleg(
    scene, published, login, make_user
):
    from tests.casussen.factories import beperk

    afspraak = _afspraak(scene, published)
    overleg.huidig_punt_kiezen(sessie=scene.sessie, punt=published, by=scene.voorzitter)
    privacy = make_user(Rol.PRIVACY_OFFICER)
    beperk(scene.casus.huishouden, by=privacy)

    for user in (scene.voorzitter, scene.aanspreekpunt, scene.deelnemer):
        assert sel.agenda_for_user(user=user, sessie=scene.sessie) == []
        with pytest.raises(Http404):
            sel.punt_get_for_user(user=user, punt_id=published.pk)
    assert sel.afspraken_read(user=scene.deelnemer) == []
    with pytest.raises(Http404):
        sel.afspraak_for_owner(user=scene.deelnemer, afspraak_id=afspraak.pk)
    chair = login(scene.voorzitter)
    page = chair.get(reverse("casussen:overleg:sessie", args=[scene.sessie.pk])).content.decode()
    assert "Huurachterstand" not in page and scene.casus.referentie not in page
    verslag = chair.post(
        reverse("casussen:overleg:verslag", args=[published.pk]), {"verslag": "Nog iets."}
    )
    assert verslag.status_code == 404
    agenda = login(scene.deelnemer).get(f"/api/v1/overleg/sessies/{scene.sessie.pk}/agenda")
    assert agenda.json()["agenda"] == [] and agenda.json()["huidig_agendapunt_id"] is None
    # The privacy officer's review of the sharing bases keeps it (her own workflow).
    assert published in list(sel.sharing_bases())
