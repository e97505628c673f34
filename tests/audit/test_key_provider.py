"""AUDIT_KEY_PROVIDER: the audit keys from the key ring (default) or from AUDIT_KEYS."""

from __future__ import annotations

import base64
import secrets
from io import StringIO

import pytest

from django.core.management import CommandError, call_command

from audit.models import AuditSeal
from audit.sealing import seal_all
from audit.verify import verify_chain
from toegang.crypto.errors import KeyRingError

pytestmark = pytest.mark.django_db(transaction=True)


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def env_keys(settings):
    settings.AUDIT_KEY_PROVIDER = "env"
    settings.AUDIT_ANCHOR_STORE = ""
    first = _key()
    settings.AUDIT_KEYS = f"1:{first}"
    return first


def test_env_keys_seal_with_the_highest_version_and_old_seals_still_verify(
    settings, env_keys, make_records
):
    make_records(3)
    seal_all()
    settings.AUDIT_KEYS = f"1:{env_keys},2:{_key()}"
    make_records(2)
    seal_all()
    versions = list(AuditSeal.objects.order_by("last_id").values_list("sleutelversie", flat=True))
    assert versions == [1, 2]
    assert verify_chain().ok


def test_a_changed_env_key_is_detected(settings, env_keys, make_records, client):
    make_records(3)
    seal_all()
    settings.AUDIT_KEYS = f"1:{_key()}"
    assert "klopt niet met auditsleutel versie 1" in verify_chain().problem
    body = client.get("/healthz").json()
    assert "audit_sleutel" in body["beperkt"]


def test_rotate_keys_points_to_audit_keys_under_the_env_provider(env_keys):
    with pytest.raises(CommandError, match="voeg daar een nieuwe versie toe"):
        call_command("rotate_keys", audit=True, stdout=StringIO())


def test_empty_audit_keys_seal_nothing_and_healthz_says_so(
    settings, env_keys, make_records, client
):
    settings.AUDIT_KEYS = ""
    make_records(1)
    with pytest.raises(KeyRingError, match="AUDIT_KEYS is leeg"):
        seal_all()
    detail = client.get("/healthz").json()["audit_sleutel"]["detail"]
    assert "geen auditsleutel" in detail


@pytest.mark.parametrize(
    ("provider", "keys", "message"),
    [
        ("kluis", "", "AUDIT_KEY_PROVIDER 'kluis' is onbekend"),
        ("env", "1:geen-base64!", "sleutel 1 is geen base64"),
        ("env", "een:abc", "verwacht 'versie:base64'"),
    ],
)
def test_a_wrong_key_setting_is_named(settings, client, provider, keys, message):
    settings.AUDIT_KEY_PROVIDER, settings.AUDIT_KEYS = provider, keys
    body = client.get("/healthz").json()
    assert body["audit_sleutel"]["ok"] is False
    assert message in body["audit_sleutel"]["detail"]
