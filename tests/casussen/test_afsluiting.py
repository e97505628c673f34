"""Closing a casus with reason and grondslag, changing them with history, reopening in a term."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Actie, AuditRecord
from casussen.errors import CasusConflict
from casussen.models import Casus, CasusAfsluiting
from casussen.services.afsluiting import casus_afsluiting_wijzigen, casus_heropenen
from casussen.services.casus import casus_set_status
from tests.auth import verified_login
from tests.casussen.factories import AFSLUITING

PROBLEM = "application/problem+json"


def _close(casus, by, **extra):
    return casus_set_status(
        casus=casus, status="afgesloten", version=casus.version, by=by, **{**AFSLUITING, **extra}
    )


def test_closing_records_reason_grondslag_history_and_audit(casus, consulent):
    closed = _close(casus, consulent)
    assert closed.status == Casus.Status.AFGESLOTEN and closed.closed_by == consulent
    assert (closed.afsluitreden, closed.grondslag) == ("doelen_bereikt", "wmo_2015")
    step = CasusAfsluiting.objects.get(casus=casus)
    assert step.soort == "afgesloten" and step.door == consulent
    audit = AuditRecord.objects.filter(object_id=str(casus.pk), actie=Actie.UPDATE).last()
    assert audit is not None and "grondslag" in audit.velden


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"afsluitreden": None}, "afsluitreden"), ({"grondslag": ""}, "grondslag")],
)
def test_closing_without_reason_or_grondslag_is_refused_and_changes_nothing(
    casus, consulent, extra, field
):
    with pytest.raises(ValidationError) as exc:
        _close(casus, consulent, **extra)
    assert field in exc.value.message_dict
    casus.refresh_from_db()
    assert casus.is_open and casus.version == 1
    assert not CasusAfsluiting.objects.exists()


def test_changing_the_grondslag_keeps_the_old_one_in_the_history(casus, consulent):
    closed = _close(casus, consulent)
    changed = casus_afsluiting_wijzigen(
        casus=closed, afsluitreden="verhuisd", grondslag="jeugdwet", by=consulent
    )
    assert changed.grondslag == "jeugdwet"
    steps = list(CasusAfsluiting.objects.filter(casus=casus).values_list("soort", "grondslag"))
    assert steps == [("afgesloten", "wmo_2015"), ("gewijzigd", "jeugdwet")]


def test_reopening_within_the_term_is_audited(casus, consulent):
    closed = _close(casus, consulent)
    reopened = casus_heropenen(casus=closed, by=consulent)
    assert reopened.is_open and reopened.closed_at is None and reopened.afsluitreden == ""
    assert CasusAfsluiting.objects.filter(casus=casus, soort="heropend").exists()
    last = AuditRecord.objects.filter(object_id=str(casus.pk)).order_by("id").last()
    assert last is not None and last.actie == Actie.UPDATE and "status" in last.velden


def test_reopening_after_the_term_is_refused(casus, consulent, settings):
    settings.CASUS_HEROPEN_DAGEN = 30
    closed = _close(casus, consulent)
    Casus.objects.filter(pk=casus.pk).update(closed_at=timezone.now() - timedelta(days=31))
    with pytest.raises(CasusConflict, match="30 dagen"):
        casus_heropenen(casus=closed, by=consulent)
    assert not Casus.objects.get(pk=casus.pk).is_open


def test_page_refuses_closing_without_grondslag_in_dutch(login, casus, consulent):
    response = login(consulent).post(
        f"/casussen/{casus.pk}/status/",
        {"status": "afgesloten", "afsluitreden": "verhuisd", "grondslag": "", "version": 1},
    )
    assert response.status_code == 400
    assert "Kies de wettelijke grondslag" in response.content.decode()
    assert Casus.objects.get(pk=casus.pk).is_open


def test_page_closes_shows_the_history_and_reopens(login, casus, consulent):
    client = login(consulent)
    response = client.post(
        f"/casussen/{casus.pk}/status/",
        {"status": "afgesloten", "afsluitreden": "verhuisd", "grondslag": "jeugdwet", "version": 1},
    )
    assert response.status_code == 302
    page = client.get(f"/casussen/{casus.pk}/").content.decode()
    assert "Geschiedenis van de afsluiting" in page and "Jeugdwet" in page
    assert "Casus heropenen" in page
    assert client.post(f"/casussen/{casus.pk}/heropenen/").status_code == 302
    assert Casus.objects.get(pk=casus.pk).is_open


def test_api_refuses_closing_without_reason_as_problem_json(client, casus, consulent):
    verified_login(client, consulent)
    response = client.post(
        f"/api/v1/casussen/{casus.pk}/status",
        {"status": "afgesloten", "version": 1, "grondslag": "wmo_2015"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert "reden" in str(response.json()).lower()
    assert Casus.objects.get(pk=casus.pk).is_open


def test_api_closes_changes_and_reopens(client, casus, consulent):
    verified_login(client, consulent)
    closed = client.post(
        f"/api/v1/casussen/{casus.pk}/status",
        {"status": "afgesloten", "version": 1, **AFSLUITING},
        content_type="application/json",
    )
    assert closed.status_code == 200 and closed.json()["grondslag"] == "wmo_2015"
    changed = client.post(
        f"/api/v1/casussen/{casus.pk}/afsluiting",
        {"afsluitreden": "overleden", "grondslag": "wgs", "version": closed.json()["version"]},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["afsluitreden"] == "overleden"
    reopened = client.post(
        f"/api/v1/casussen/{casus.pk}/heropenen",
        {"version": changed.json()["version"]},
        content_type="application/json",
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_behandeling"
