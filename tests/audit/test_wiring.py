from __future__ import annotations

import pytest

from django.urls import URLPattern, get_resolver, reverse

from audit.models import AuditRecord, Doel
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
