"""Record forms 2 to 4: the trigger user and the households of a list are sealed
too (form 2); records are hashed as binary COPY rows (form 3, seal version 4), then
as binary records hashed by PostgreSQL (form 4, seal version 5); records and seals
made in an earlier form still verify."""

from __future__ import annotations

import uuid

import pytest

from django.utils import timezone

from audit import canonical
from audit.keys import sealing_key
from audit.models import AuditRecord, AuditSeal
from audit.sealing import records_hash_between, seal_all
from audit.verify import verify_chain
from tests.audit.tamper import raw, triggers_off
from toegang.roles import Rol

pytestmark = pytest.mark.django_db(transaction=True)


def _seal_as(versie: int) -> AuditSeal:
    """What the sealer made when it sealed with ``versie``: one seal over every record
    after the last seal, its records hashed in that version's record form."""
    previous = AuditSeal.objects.order_by("-last_id").first()
    after_id, previous_hash = (previous.last_id, previous.seal_hash) if previous else (0, None)
    count, digest = records_hash_between(after_id, 10**15, versie=versie)
    new = AuditRecord.objects.filter(id__gt=after_id).order_by("id")
    version, key = sealing_key()
    fields = {
        "first_id": new.values_list("id", flat=True).first(),
        "last_id": new.reverse().values_list("id", flat=True).first(),
        "count": count,
        "records_hash": digest,
        "previous_hash": previous_hash or canonical.GENESIS,
        "sealed_at": timezone.now(),
    }
    return AuditSeal.objects.create(
        versie=versie,
        sleutelversie=version,
        seal_hash=canonical.seal_hash(
            versie=versie, key=key.material, key_version=version, **fields
        ),
        **fields,
    )


def _form_1(row) -> bytes:
    """The record form 1 encoding, written out again: the fields of ``FIELDS`` only."""
    base = len(canonical.FIELDS)
    parts = []
    for convert, value in zip(canonical._CONVERTERS[:base], row[:base], strict=True):
        data = b"~" if value is None else convert(value).encode()
        parts.append(data if value is None else b"%d:%s" % (len(data), data))
    return b"".join(parts)


@pytest.fixture
def old_and_new(make_records, make_user):
    """Three records sealed under a version 2 seal, then two of the system, set off by a
    consulent and naming two households, sealed by today's sealer."""
    old = make_records(3)
    _seal_as(canonical.SEAL_KEYED_V2)
    consulent = make_user(Rol.CONSULENT)
    new = make_records(2, trigger=consulent, huishouden_ids=[uuid.uuid4(), uuid.uuid4()])
    seal_all()
    return old, new, consulent


def test_a_record_without_extension_keeps_its_form_1_encoding(old_and_new):
    old, _, _ = old_and_new
    rows = AuditRecord.objects.order_by("id").values_list(*canonical.COLUMNS)
    for row in rows:
        encoded = canonical.encode_record(row)
        if row[0] in {r.pk for r in old}:
            assert encoded == _form_1(row)
        else:
            assert encoded.startswith(_form_1(row) + b"+")


def test_old_seals_and_new_seals_verify_together(old_and_new):
    _, new, consulent = old_and_new
    versions = list(AuditSeal.objects.order_by("last_id").values_list("versie", flat=True))
    assert versions == [canonical.SEAL_KEYED_V2, canonical.SEAL_KEYED]
    record = AuditRecord.objects.get(pk=new[0].pk)
    assert (record.username, record.trigger_user_id) == ("systeem", consulent.pk)
    result = verify_chain()
    assert result.ok, result.problem
    assert result.records == 5


@pytest.mark.parametrize(
    "change",
    [
        "trigger_username = 'iemand-anders'",
        "trigger_user_id = NULL, trigger_username = ''",
        "huishouden_ids = '[]'",
    ],
)
def test_changing_the_extension_of_a_new_record_is_detected(old_and_new, change):
    _, new, _ = old_and_new
    with triggers_off():
        raw(f"UPDATE audit_auditrecord SET {change} WHERE id = %s", [new[1].pk])  # noqa: S608
    result = verify_chain()
    assert not result.ok
    assert "gewijzigd" in result.problem
    assert result.seal_id == AuditSeal.objects.order_by("last_id").last().pk


def test_giving_an_old_record_a_trigger_user_is_detected(old_and_new):
    old, _, consulent = old_and_new
    with triggers_off():
        raw(
            "UPDATE audit_auditrecord SET trigger_user_id = %s WHERE id = %s",
            [consulent.pk, old[0].pk],
        )
    result = verify_chain()
    assert not result.ok
    assert result.seal_id == AuditSeal.objects.order_by("last_id").first().pk


@pytest.fixture
def three_forms(make_records, make_user):
    """Records sealed as before form 2 (seal version 2), in form 2 (version 3, with an
    extension), in form 3 (version 4) and by today's sealer (version 5, form 4)."""
    make_records(2)
    _seal_as(canonical.SEAL_KEYED_V2)
    consulent = make_user(Rol.CONSULENT)
    form_2 = make_records(2, trigger=consulent, huishouden_ids=[uuid.uuid4()])
    _seal_as(canonical.SEAL_KEYED_V3)
    make_records(2, trigger=consulent, huishouden_ids=[uuid.uuid4()])
    _seal_as(canonical.SEAL_KEYED_V4)
    make_records(2, trigger=consulent)
    seal_all()
    return form_2


def test_seals_of_every_record_form_verify_together(three_forms):
    versions = list(AuditSeal.objects.order_by("last_id").values_list("versie", flat=True))
    assert versions == [
        canonical.SEAL_KEYED_V2,
        canonical.SEAL_KEYED_V3,
        canonical.SEAL_KEYED_V4,
        canonical.SEAL_KEYED,
    ]
    assert [canonical.record_form(v) for v in versions] == [2, 2, 3, 4]
    result = verify_chain()
    assert result.ok, result.problem
    assert (result.seals, result.records) == (4, 8)


@pytest.mark.parametrize("versie", [canonical.SEAL_KEYED_V4, canonical.SEAL_KEYED])
def test_changing_a_record_sealed_in_form_3_or_4_is_detected_at_its_seal(three_forms, versie):
    seal = AuditSeal.objects.get(versie=versie)
    with triggers_off():
        raw(
            "UPDATE audit_auditrecord SET user_agent = user_agent || 'x' WHERE id = %s",
            [seal.last_id],
        )
    result = verify_chain()
    assert not result.ok
    assert "gewijzigd" in result.problem
    assert result.seal_id == seal.pk


def test_a_form_4_record_is_the_form_3_row_with_type_oids():
    """Form 4 per field: the type OID, then form 3's field (length and value)."""
    row = [
        7, timezone.now(), None, "Zoë", "consulent", uuid.uuid4(), "Gemeente", None,
        uuid.uuid4(), ["p"], "read", "casus", "x", [], ["naam"], "casusbehandeling", "",
        True, "r", "10.0.0.1", "ua", "allowed", None, "", ["h"],
    ]  # fmt: skip
    form_3, form_4 = canonical.encode_record_binary(row), canonical.encode_record_row(row)
    assert form_4[:4] == len(canonical.COLUMNS).to_bytes(4, "big")
    assert form_3[:2] == len(canonical.COLUMNS).to_bytes(2, "big")
    fields_4, fields_3, at_4, at_3 = [], [], 4, 2
    for _ in canonical.COLUMNS:
        oid = int.from_bytes(form_4[at_4 : at_4 + 4], "big")
        size = int.from_bytes(form_4[at_4 + 4 : at_4 + 8], "big", signed=True)
        end = at_4 + 8 + max(size, 0)
        fields_4.append((oid, form_4[at_4 + 4 : end]))
        at_4 = end
        size = int.from_bytes(form_3[at_3 : at_3 + 4], "big", signed=True)
        fields_3.append(form_3[at_3 : at_3 + 4 + max(size, 0)])
        at_3 += 4 + max(size, 0)
    assert (at_4, at_3) == (len(form_4), len(form_3))
    assert [data for _, data in fields_4] == fields_3
    assert [oid for oid, _ in fields_4][:4] == [20, 1184, 20, 25]  # int8, timestamptz, text


def test_changing_a_record_sealed_in_form_2_is_detected_at_its_seal(three_forms):
    with triggers_off():
        raw(
            "UPDATE audit_auditrecord SET huishouden_ids = '[]' WHERE id = %s",
            [three_forms[0].pk],
        )
    result = verify_chain()
    assert not result.ok
    assert "gewijzigd" in result.problem
    assert result.seal_id == AuditSeal.objects.get(versie=canonical.SEAL_KEYED_V3).pk


@pytest.mark.parametrize("relabel", [canonical.SEAL_KEYED_V3, canonical.SEAL_KEYED_V4])
def test_a_form_4_seal_relabelled_as_an_older_form_does_not_verify(three_forms, relabel):
    newest = AuditSeal.objects.order_by("last_id").last()
    with triggers_off():
        raw(
            "UPDATE audit_auditseal SET versie = %s WHERE id = %s",
            [relabel, newest.pk],
        )
    result = verify_chain()
    assert not result.ok
    assert result.seal_id == newest.pk
