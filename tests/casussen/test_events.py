"""Events of the casus (ids only), recipients, access checks and live-feed revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.utils import timezone

from casussen.models import Betrokkene
from casussen.services.betrokkenen import (
    access_expire,
    betrokkene_add,
    noodtoegang_start,
)
from casussen.services.casus import casus_assign_aanspreekpunt, casus_overdragen
from tests.toegang.events.helpers import captured_events
from toegang import events

pytestmark = pytest.mark.django_db


def test_assignment_emits_aanspreekpunt_gewijzigd(make_casus, teamleider, consulent):
    casus = make_casus(None)
    with captured_events() as emitted:
        casus = casus_assign_aanspreekpunt(casus=casus, consulent=consulent, by=teamleider)
    assert [e.event_type for e in emitted] == ["casus.aanspreekpunt_gewijzigd"]
    assert emitted[0].payload == {"van_id": None, "naar_id": consulent.pk}
    assert emitted[0].aggregate_version == casus.version


def test_overdracht_revokes_the_live_feed_of_the_old_aanspreekpunt(
    casus, consulent, collega, monkeypatch, django_capture_on_commit_callbacks
):
    from toegang import realtime

    revoked = []
    monkeypatch.setattr(realtime, "revoke", lambda *args: revoked.append(args))
    with django_capture_on_commit_callbacks(execute=True), captured_events() as emitted:
        casus_overdragen(casus=casus, naar=collega, notitie="", by=consulent)
    assert revoked == [(consulent.pk, "casus", str(casus.pk))]
    assert [e.event_type for e in emitted] == ["casus.aanspreekpunt_gewijzigd"]
    assert emitted[0].payload == {"van_id": consulent.pk, "naar_id": collega.pk}


def test_recipients_are_the_users_with_view_access_now(casus, consulent, collega):
    with captured_events() as emitted:
        betrokkene_add(
            casus=casus, user=collega, reden="Schulden",
            eind_datum=timezone.localdate() + timedelta(days=5), by=consulent,
        )  # fmt: skip
    assert [e.event_type for e in emitted] == ["betrokkene.toegevoegd"]
    assert events.recipients_for(emitted[0]) == {consulent.pk, collega.pk}
    assert events.may_access(collega, "casus", str(casus.pk))


def test_expiry_emits_betrokkene_verlopen_and_revokes(
    casus, consulent, collega, monkeypatch, django_capture_on_commit_callbacks
):
    from toegang import realtime

    betrokkene = betrokkene_add(
        casus=casus, user=collega, reden="Schulden",
        eind_datum=timezone.localdate() + timedelta(days=5), by=consulent,
    )  # fmt: skip
    Betrokkene.objects.filter(pk=betrokkene.pk).update(
        eind_datum=timezone.localdate() - timedelta(days=1)
    )
    revoked = []
    monkeypatch.setattr(realtime, "revoke", lambda *args: revoked.append(args))
    with django_capture_on_commit_callbacks(execute=True), captured_events() as emitted:
        access_expire()
    assert [e.event_type for e in emitted] == ["betrokkene.verlopen"]
    assert revoked == [(collega.pk, "casus", str(casus.pk))]
    assert not events.may_access(collega, "casus", str(casus.pk))


def test_noodtoegang_emits_gestart_with_ids_only(casus, collega):
    with captured_events() as emitted:
        grant = noodtoegang_start(casus_id=casus.pk, reden="Acuut en geheim", by=collega)
    assert [e.event_type for e in emitted] == ["noodtoegang.gestart"]
    assert emitted[0].payload == {"noodtoegang_id": str(grant.pk), "user_id": collega.pk}
