from __future__ import annotations

import pytest

from django.test import override_settings
from django.urls import URLPattern, get_resolver, reverse

from audit.models import AuditRecord, AuditSeal, Doel
from audit.sealing import seal_pending
from toegang import worker


def test_sealer_is_a_registered_worker_job():
    job = {j.name: j for j in worker.jobs()}["audit_sealer"]
    assert job.interval == 2.0
    assert job.run.__module__ == "audit.sealing"


def _audit_urls() -> list[str]:
    resolver = get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "audit":
            names += [f"audit:{p.name}" for p in pattern.url_patterns if isinstance(p, URLPattern)]
    return names


def test_every_console_page_audits_its_own_use(privacy_officer, login):
    names = _audit_urls()
    assert {"audit:console", "audit:beoordelen", "audit:inzageverzoek"} <= set(names)
    client = login(privacy_officer)
    for name in names:
        if name == "audit:inzageverzoek":
            continue  # the empty form shows nothing; the report itself is tested elsewhere
        before = AuditRecord.objects.count()
        assert client.get(reverse(name)).status_code == 200
        assert AuditRecord.objects.filter(doel=Doel.AUDIT).count() == before + 1, name


@pytest.mark.parametrize("path", ["/api/v1/audit"])
def test_every_audit_api_read_is_audited(privacy_officer, login, path):
    client = login(privacy_officer)
    before = AuditRecord.objects.count()
    assert client.get(path).status_code == 200
    assert AuditRecord.objects.count() == before + 1


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_sealer_waits_its_interval_after_a_partial_batch(make_records):
    """Busy only after a full batch: a trickle of reads is sealed once per interval."""
    with override_settings(AUDIT_SEAL_BATCH=4):
        make_records(6)
        assert seal_pending() == 4  # a full batch: more is waiting, run again at once
        assert seal_pending() == 0  # the rest (2), sealed; then wait the interval
        assert seal_pending() == 0  # nothing left
    assert list(AuditSeal.objects.order_by("last_id").values_list("count", flat=True)) == [4, 2]
