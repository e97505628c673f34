from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from audit.models import Actie, AuditRecord, AuditReview, Doel, Uitkomst
from audit.review import review_queue
from audit.services import record
from tests.audit.helpers import assert_audited
from tests.audit.tamper import raw, triggers_off
from toegang.roles import Rol

URL = "/audit/beoordelen/"


def _on_casussen(user, n: int, actie: str, **extra) -> list[AuditRecord]:
    """``n`` records of ``user`` on as many different casussen."""
    return [
        record(
            actor=user,
            actie=actie,
            doel=Doel.CASUSBEHANDELING,
            object_type="casus",
            object_id=uuid.uuid4(),
            **extra,
        )
        for _ in range(n)
    ]


def _denied(user, n: int) -> list[AuditRecord]:
    return _on_casussen(user, n, Actie.DENY, uitkomst=Uitkomst.DENIED)


def _shift(records: list[AuditRecord], minutes: int) -> None:
    # Back-date test data (the trail is append-only for the application).
    with triggers_off():
        for rec in records:
            raw(
                "UPDATE audit_auditrecord SET occurred_at = %s WHERE id = %s",
                [rec.occurred_at - timedelta(minutes=minutes), rec.pk],
            )


def test_every_noodtoegang_is_in_the_queue_with_its_reason(consulent):
    rec = record(
        actor=consulent,
        actie=Actie.NOODTOEGANG,
        doel=Doel.NOODTOEGANG,
        object_type="casus",
        object_id=uuid.uuid4(),
        noodtoegang=True,
        reden="crisis buiten kantoortijd",
    )
    record(actor=consulent, actie=Actie.READ, doel=Doel.CASUSBEHANDELING)
    items = review_queue()
    assert [(i.soort, i.sleutel, i.reden) for i in items] == [
        ("noodtoegang", f"noodtoegang:{rec.pk}", "crisis buiten kantoortijd")
    ]


def test_five_denials_within_ten_minutes_make_a_burst(consulent):
    denials = _denied(consulent, 6)
    items = review_queue()
    assert [(i.soort, i.sleutel, i.aantal) for i in items] == [
        ("weigeringen", f"weigeringen:{denials[0].pk}", 6)
    ]


def test_four_denials_or_five_spread_out_are_no_burst(consulent, make_user):
    _denied(consulent, 4)
    other = make_user(Rol.CONSULENT)
    spread = _denied(other, 5)
    for index, rec in enumerate(spread):
        _shift([rec], minutes=4 * (len(spread) - index))  # 4 minutes apart: 16 minutes in all
    assert review_queue() == []


@override_settings(AUDIT_VOLUME_THRESHOLD=3)
def test_reading_more_objects_than_the_threshold_in_a_day_is_unusual(consulent, make_user):
    for _ in range(4):
        record(
            actor=consulent,
            actie=Actie.READ,
            doel=Doel.CASUSBEHANDELING,
            object_type="casus",
            object_id=uuid.uuid4(),
        )
    calm = make_user(Rol.CONSULENT)
    for _ in range(3):
        record(
            actor=calm,
            actie=Actie.READ,
            doel=Doel.CASUSBEHANDELING,
            object_type="casus",
            object_id=uuid.uuid4(),
        )
    items = review_queue()
    assert [(i.soort, i.user_id, i.aantal) for i in items] == [("volume", consulent.pk, 4)]


def test_marking_reviewed_stores_the_comment_and_is_audited(privacy_officer, login, consulent):
    rec = record(
        actor=consulent,
        actie=Actie.NOODTOEGANG,
        doel=Doel.NOODTOEGANG,
        noodtoegang=True,
        reden="spoed",
    )
    client = login(privacy_officer)
    page = client.get(URL).content.decode()
    assert "spoed" in page and f"noodtoegang:{rec.pk}" in page
    with assert_audited(
        actie=Actie.CREATE,
        doel=Doel.AUDIT,
        object_type="auditbeoordeling",
        object_ids=[rec.pk],
        user=privacy_officer,
    ):
        response = client.post(
            URL,
            {
                "sleutel": f"noodtoegang:{rec.pk}",
                "oordeel": "terecht",
                "opmerking": "Terecht gebruikt.",
            },
        )
    assert response.status_code == 302
    review = AuditReview.objects.get()
    assert (review.oordeel, review.opmerking, review.reviewed_by_id) == (
        "terecht",
        "Terecht gebruikt.",
        privacy_officer.pk,
    )
    assert review_queue() == []
    assert "Terecht gebruikt." in client.get(URL + "?alle=1").content.decode()


def test_a_review_needs_a_judgement_a_comment_and_a_real_item_and_happens_once(
    privacy_officer, login, consulent
):
    rec = record(actor=consulent, actie=Actie.NOODTOEGANG, doel=Doel.NOODTOEGANG, noodtoegang=True)
    sleutel = f"noodtoegang:{rec.pk}"
    client = login(privacy_officer)
    client.post(URL, {"sleutel": sleutel, "oordeel": "terecht", "opmerking": "  "})
    client.post(URL, {"sleutel": sleutel, "opmerking": "geen oordeel"})
    client.post(URL, {"sleutel": sleutel, "oordeel": "prima", "opmerking": "onbekend oordeel"})
    client.post(URL, {"sleutel": "noodtoegang:999999", "oordeel": "terecht", "opmerking": "ok"})
    assert not AuditReview.objects.exists()
    client.post(URL, {"sleutel": sleutel, "oordeel": "navragen", "opmerking": "ok"})
    client.post(URL, {"sleutel": sleutel, "oordeel": "terecht", "opmerking": "nogmaals"})
    assert AuditReview.objects.count() == 1


def test_old_items_fall_outside_the_period(consulent):
    rec = record(actor=consulent, actie=Actie.NOODTOEGANG, doel=Doel.NOODTOEGANG, noodtoegang=True)
    _shift([rec], minutes=60 * 24 * 40)
    assert review_queue() == []
    assert timezone.now()


@override_settings(AUDIT_VOLUME_THRESHOLD=2)
def test_bursts_and_volume_items_can_be_reviewed_by_key(privacy_officer, consulent):
    from audit.review import review_create

    denials = _denied(consulent, 5)
    for _ in range(3):
        record(
            actor=consulent,
            actie=Actie.READ,
            doel=Doel.CASUSBEHANDELING,
            object_type="casus",
            object_id=uuid.uuid4(),
        )
    keys = {i.soort: i.sleutel for i in review_queue()}
    assert keys["weigeringen"] == f"weigeringen:{denials[0].pk}"
    assert keys["volume"] == f"volume:{consulent.pk}:{timezone.localdate():%Y-%m-%d}"
    for sleutel in keys.values():
        review_create(sleutel=sleutel, oordeel="terecht", opmerking="bekeken", by=privacy_officer)
    assert review_queue() == []
    with pytest.raises(ValidationError):
        review_create(
            sleutel=f"weigeringen:{denials[1].pk}",
            oordeel="terecht",
            opmerking="x",
            by=privacy_officer,
        )


def _casus_reads(user, n: int) -> list[AuditRecord]:
    return _on_casussen(user, n, Actie.READ)


def _reeksen() -> list:
    return [i for i in review_queue() if i.soort == "reeks"]


@override_settings(AUDIT_REEKS_CASUSSEN=3)
def test_the_queue_shows_the_alerts_the_worker_job_stored_and_computes_none(
    consulent, privacy_officer, login
):
    from audit import alerts
    from toegang import worker

    assert "audit_alerts" in {job.name for job in worker.jobs()}
    reads = _casus_reads(consulent, 3)
    assert _reeksen() == []  # the queue does not compute alerts
    assert alerts.store_job() == 0  # never busy: waits its interval
    (item,) = _reeksen()
    assert (item.sleutel, item.user_id, item.aantal) == (f"reeks:{reads[0].pk}", consulent.pk, 3)
    page = login(privacy_officer).get(URL).content.decode()
    assert "veel casussen kort na elkaar" in page


@override_settings(AUDIT_REEKS_CASUSSEN=3)
def test_the_alerts_job_stores_each_alert_once_and_brings_its_count_up_to_date(consulent):
    from audit import alerts
    from audit.models import AuditAlert

    _casus_reads(consulent, 3)
    alerts.store_job()
    alerts.store_job()
    assert AuditAlert.objects.filter(soort="reeks").count() == 1
    _casus_reads(consulent, 1)
    alerts.store_job()
    (stored,) = AuditAlert.objects.filter(soort="reeks")
    assert stored.aantal == 4
    (item,) = _reeksen()
    assert item.aantal == 4
