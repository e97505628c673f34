"""One request context for every audit record: bound by the middleware, read by ``record``."""

from __future__ import annotations

import pytest

from audit import context
from audit.models import Actie, AuditRecord, Doel
from audit.services import record

pytestmark = pytest.mark.django_db


def _system_read() -> AuditRecord:
    return record(actor=None, actie=Actie.READ, doel=Doel.BEHEER, object_type="test")


def test_a_record_without_request_takes_the_bound_context():
    where = context.AuditContext(request_id="ctx-0001", ip_adres="192.0.2.7", user_agent="UA/1")
    with context.bound(where):
        inside = _system_read()
    outside = _system_read()
    assert (inside.request_id, inside.ip_adres, inside.user_agent) == (
        "ctx-0001",
        "192.0.2.7",
        "UA/1",
    )
    assert (outside.request_id, outside.ip_adres, outside.user_agent) == ("", None, "")


def test_a_websocket_scope_gives_client_address_and_user_agent():
    scope = {"client": ("203.0.113.9", 5000), "headers": [(b"User-Agent", b"Browser/2")]}
    where = context.from_scope(scope, "ws-0001")
    assert (where.request_id, where.ip_adres, where.user_agent) == (
        "ws-0001",
        "203.0.113.9",
        "Browser/2",
    )
