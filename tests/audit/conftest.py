from __future__ import annotations

import uuid

import pytest

from django.test import override_settings

from audit.models import Actie, AuditRecord, Doel
from audit.sealing import GapTracker
from audit.services import record
from audit.subjects import register_resident_lookup
from toegang.roles import Rol

#: A resident known to the test lookup (BSN passes the elfproef).
BSN = "111222333"
ACHTERNAAM = "Markerveld"


@pytest.fixture
def privacy_officer(make_user):
    return make_user(Rol.PRIVACY_OFFICER, username="fg")


@pytest.fixture
def make_records(db):
    def make(n: int = 5, **kwargs) -> list[AuditRecord]:
        kwargs.setdefault("actor", None)
        kwargs.setdefault("actie", Actie.READ)
        kwargs.setdefault("doel", Doel.CASUSBEHANDELING)
        kwargs.setdefault("object_type", "casus")
        object_id = kwargs.pop("object_id", None)
        return [record(object_id=object_id or uuid.uuid4(), **kwargs) for _ in range(n)]

    return make


@pytest.fixture
def resident():
    """Register a lookup that knows one resident; yields (huishouden_id, persoon_id)."""
    huishouden_id, persoon_id = uuid.uuid4(), uuid.uuid4()
    calls = []

    def lookup(*, bsn=None, achternaam=None, geboortedatum=None):
        calls.append((bsn, achternaam, geboortedatum))
        if bsn == BSN or (achternaam == ACHTERNAAM and geboortedatum is not None):
            return [huishouden_id], [persoon_id]
        return [], []

    previous = register_resident_lookup(lookup)
    yield huishouden_id, persoon_id
    register_resident_lookup(previous)


@pytest.fixture
def tracker():
    return GapTracker()


@pytest.fixture(autouse=True)
def fast_settle():
    """Nothing in these tests stalls between drawing an id and inserting its row."""
    with override_settings(AUDIT_SEAL_GAP_SETTLE=0.05):
        yield
