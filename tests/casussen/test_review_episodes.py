"""The review queue in episodes and rule-based alerts, from real services and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.core import mail
from django.test import override_settings
from django.utils import timezone

from audit import alerts
from audit.models import Actie, AuditRecord, AuditReview
from audit.review import review_create, review_queue
from casussen.models import Noodtoegang
from casussen.services.betrokkenen import access_expire, noodtoegang_start
from tests.auth import verified_login
from toegang.roles import Rol

pytestmark = pytest.mark.django_db

URL = "/audit/beoordelen/"


@pytest.fixture
def privacy_officer(make_user):
    return make_user(Rol.PRIVACY_OFFICER)


@pytest.fixture
def episode(client, casus, collega):
    """A noodtoegang by ``collega``: started, the casus opened twice, then expired."""
    grant = noodtoegang_start(casus_id=casus.pk, reden="Acute zorg, aanspreekpunt ziek", by=collega)
    verified_login(client, collega)
    for _ in range(2):
        assert client.get(f"/casussen/{casus.pk}/").status_code == 200
    client.logout()
    Noodtoegang.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert access_expire() == 1
    return grant


def _nood(items):
    return [i for i in items if i.soort == "noodtoegang"]


def test_one_noodtoegang_is_one_item_from_start_to_end(episode, casus, collega):
    (item,) = _nood(review_queue())
    start = AuditRecord.objects.get(actie=Actie.NOODTOEGANG)
    assert item.sleutel == f"noodtoegang:{start.pk}"
    assert item.reden == "Acute zorg, aanspreekpunt ziek"
    assert item.episode.casus_id == str(casus.pk)
    assert item.episode.geopend == {"casus": 2}
    assert item.episode.ended_at is not None and not item.episode.lopend
    assert len(item.episode.record_ids) == 3  # two reads and the system's end


def test_the_queue_page_shows_name_role_team_reason_and_a_link(
    client, episode, casus, collega, privacy_officer
):
    verified_login(client, privacy_officer)
    page = client.get(URL).content.decode()
    assert page.count("noodtoegang:") == 1
    assert collega.get_full_name() in page
    assert "Consulent" in page and collega.team.naam in page
    assert "Acute zorg, aanspreekpunt ziek" in page
    assert f'href="/audit/?object_id={casus.pk}"' in page  # the casus's trail, not the casus
    assert "casus (2×)" in page
    console = client.get(f"/audit/?object_id={casus.pk}")
    assert console.status_code == 200
    assert f'value="{casus.pk}"' in console.content.decode()


def test_onterecht_tells_the_teamleider_by_email(
    episode, collega, teamleider, privacy_officer, django_capture_on_commit_callbacks
):
    teamleider.email = "teamleider@example.org"
    teamleider.save(update_fields=["email"])
    (item,) = _nood(review_queue())
    with django_capture_on_commit_callbacks(execute=True):
        review = review_create(
            sleutel=item.sleutel, oordeel="onterecht", opmerking="Geen spoed", by=privacy_officer
        )
    assert review.oordeel == "onterecht"
    (bericht,) = mail.outbox
    assert bericht.to == ["teamleider@example.org"]
    assert collega.get_full_name() in bericht.subject
    assert "onterecht" in bericht.body
    rec = AuditRecord.objects.get(object_type="auditbeoordeling")
    assert (rec.reden, rec.user_id) == ("onterecht", privacy_officer.pk)


def test_terecht_and_navragen_tell_nobody(
    episode, teamleider, privacy_officer, django_capture_on_commit_callbacks
):
    teamleider.email = "teamleider@example.org"
    teamleider.save(update_fields=["email"])
    (item,) = _nood(review_queue())
    with django_capture_on_commit_callbacks(execute=True):
        review_create(sleutel=item.sleutel, oordeel="navragen", opmerking="?", by=privacy_officer)
    assert mail.outbox == []
    assert AuditReview.objects.get().oordeel == "navragen"


def _na_de_job():
    """The queue after the worker stored the alerts (the queue itself computes none)."""
    alerts.store_job()
    return review_queue()


@override_settings(AUDIT_REEKS_CASUSSEN=3, AUDIT_REEKS_MINUTEN=15)
def test_many_casussen_opened_in_a_short_time_is_an_alert(client, make_casus, consulent):
    casussen = [make_casus(consulent) for _ in range(3)]
    verified_login(client, consulent)
    for casus in casussen:
        client.get(f"/casussen/{casus.pk}/")
    (item,) = [i for i in _na_de_job() if i.soort == "reeks"]
    assert (item.user_id, item.aantal) == (consulent.pk, 3)


@override_settings(AUDIT_REEKS_CASUSSEN=4)
def test_the_same_casus_opened_often_is_no_reeks(client, make_casus, consulent):
    casus = make_casus(consulent)
    verified_login(client, consulent)
    for _ in range(5):
        client.get(f"/casussen/{casus.pk}/")
    assert not [i for i in _na_de_job() if i.soort == "reeks"]


def test_a_casus_of_a_household_with_the_users_own_surname_is_an_alert(
    client, make_casus, make_user
):
    consulent = make_user(Rol.CONSULENT, last_name="van der Berg")
    eigen = make_casus(consulent, leden=[{"achternaam": "Berg"}])
    ander = make_casus(consulent, leden=[{"achternaam": "Jansen"}])
    verified_login(client, consulent)
    for casus in (eigen, ander):
        client.get(f"/casussen/{casus.pk}/")
    items = [i for i in _na_de_job() if i.soort == "eigen_naam"]
    assert [(i.user_id, i.huishouden_id) for i in items] == [
        (consulent.pk, str(eigen.huishouden_id))
    ]
    assert "Berg" not in str(items[0].__dict__)


@override_settings(AUDIT_KANTOORTIJD="00:00-00:00")
def test_work_outside_office_hours_is_an_alert_per_user_per_day(client, casus, consulent):
    verified_login(client, consulent)
    client.get(f"/casussen/{casus.pk}/")
    client.get(f"/casussen/{casus.pk}/")
    (item,) = [i for i in _na_de_job() if i.soort == "kantoortijd" and i.user_id == consulent.pk]
    assert item.sleutel == f"kantoortijd:{consulent.pk}:{timezone.localdate():%Y-%m-%d}"
    assert item.aantal >= 2


@override_settings(AUDIT_KANTOORTIJD="00:00-00:00")
def test_an_office_hours_alert_can_be_judged_by_key(client, casus, consulent, privacy_officer):
    verified_login(client, consulent)
    client.get(f"/casussen/{casus.pk}/")
    (item,) = [i for i in _na_de_job() if i.soort == "kantoortijd" and i.user_id == consulent.pk]
    review_create(sleutel=item.sleutel, oordeel="terecht", opmerking="dienst", by=privacy_officer)
    assert not [i for i in _na_de_job() if i.soort == "kantoortijd" and i.user_id == consulent.pk]
