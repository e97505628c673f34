from __future__ import annotations

import pytest

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from audit.models import Actie, AuditRecord, AuditReview, AuditSeal, Doel
from audit.sealing import seal_all
from audit.services import record


def _refused(fn) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        fn()


@pytest.fixture
def rec(db):
    return record(actor=None, actie=Actie.READ, doel=Doel.INTAKE, object_type="casus")


def test_update_of_a_record_is_refused_by_the_database(rec):
    _refused(lambda: AuditRecord.objects.filter(pk=rec.pk).update(reden="weggepoetst"))
    rec.refresh_from_db()
    assert rec.reden == ""


def test_delete_of_a_record_is_refused_by_the_database(rec):
    _refused(lambda: AuditRecord.objects.filter(pk=rec.pk).delete())
    assert AuditRecord.objects.filter(pk=rec.pk).exists()


def test_raw_sql_delete_of_all_records_is_refused(rec):
    def delete_all():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditrecord")

    _refused(delete_all)
    assert AuditRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_seals_and_reviews_are_append_only_too(rec):
    seal_all()
    review = AuditReview.objects.create(
        soort="noodtoegang",
        sleutel="noodtoegang:1",
        reviewed_by_id=1,
        reviewed_by_username="fg",
        opmerking="ok",
        reviewed_at=timezone.now(),
    )
    _refused(lambda: AuditSeal.objects.update(count=99))
    _refused(lambda: AuditSeal.objects.all().delete())
    _refused(lambda: AuditReview.objects.filter(pk=review.pk).update(opmerking="anders"))
    _refused(lambda: AuditReview.objects.filter(pk=review.pk).delete())


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(rec):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")

    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditrecord")

    _refused(truncate)
    assert AuditRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_flush_is_refused_where_not_allowed():
    record(actor=None, actie=Actie.READ, doel=Doel.INTAKE)
    with override_settings(AUDIT_ALLOW_FLUSH=False), pytest.raises(Exception) as exc:
        call_command("flush", interactive=False, verbosity=0)
    assert "append-only" in str(exc.value.__cause__)
    assert AuditRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_where_allowed_and_triggers_stay():
    record(actor=None, actie=Actie.READ, doel=Doel.INTAKE)
    with override_settings(AUDIT_ALLOW_FLUSH=True):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditRecord.objects.count() == 0
    rec = record(actor=None, actie=Actie.READ, doel=Doel.INTAKE)
    _refused(lambda: AuditRecord.objects.filter(pk=rec.pk).delete())
