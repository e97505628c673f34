from __future__ import annotations

import json
import uuid
from io import StringIO

import pytest

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings

from audit import canonical
from audit import context as audit_context
from audit.context import AuditContext
from audit.models import AuditRecord, AuditSeal
from audit.sealing import records_hash_between, seal_all
from audit.verify import verify_chain
from tests.audit.tamper import raw, triggers_off

# Ids from 1 without gaps: on PostgreSQL, ids drawn by earlier (rolled back) tests
# would leave a gap that the sealer only passes after the settle time, once every
# transaction of this database that might hold it has ended (see audit.sealing).
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)


@pytest.fixture
def sealed(make_records):
    """Three seals of four records each."""
    with override_settings(AUDIT_SEAL_BATCH=4):
        records = make_records(12, persoon_ids=[uuid.uuid4()], velden=["naam"])
        seal_all()
    assert AuditSeal.objects.count() == 3
    return records


def _verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as exc:
        _verify()
    return str(exc.value)


def test_an_untouched_chain_verifies(sealed):
    out = _verify()
    assert "OK: 12 auditregels in 3 zegels" in out
    assert "regels/s" in out


def test_unsealed_records_are_reported_not_failed(sealed, make_records):
    make_records(2)
    assert "2 nog niet verzegeld" in _verify()


def test_a_changed_record_is_detected_at_its_seal(sealed):
    with triggers_off():
        raw("UPDATE audit_auditrecord SET reden = 'anders' WHERE id = %s", [sealed[5].pk])
    message = _broken()
    assert f"auditregels {sealed[4].pk} t/m {sealed[7].pk}" in message
    assert "gewijzigd" in message


def test_a_deleted_record_is_detected(sealed):
    with triggers_off():
        raw("DELETE FROM audit_auditrecord WHERE id = %s", [sealed[9].pk])
    message = _broken()
    assert "1 auditregel(s) verwijderd" in message
    assert f"t/m {sealed[11].pk}" in message


def test_a_record_inserted_into_a_sealed_range_is_detected(make_records):
    records = make_records(6)
    gap = records[2]
    with triggers_off():  # an id that was never committed, like a rolled-back one
        raw("DELETE FROM audit_auditrecord WHERE id = %s", [gap.pk])
    seal_all()
    assert verify_chain().ok
    gap.save(force_insert=True)
    message = _broken()
    assert "1 auditregel(s) achteraf ingevoegd" in message
    assert f"t/m {records[-1].pk}" in message


def test_reordered_records_are_detected(sealed):
    first, second = sealed[0], sealed[1]
    with triggers_off():
        raw(
            "UPDATE audit_auditrecord SET object_id = %s WHERE id = %s",
            [second.object_id, first.pk],
        )
        raw(
            "UPDATE audit_auditrecord SET object_id = %s WHERE id = %s",
            [first.object_id, second.pk],
        )
    message = _broken()
    assert "van plaats verwisseld" in message
    assert f"t/m {sealed[3].pk}" in message


def test_a_changed_seal_is_detected(sealed):
    seal = AuditSeal.objects.order_by("last_id")[1]
    with triggers_off():
        raw("UPDATE audit_auditseal SET count = count + 1 WHERE id = %s", [seal.pk])
    assert f"zegel {seal.pk} " in _broken()


def test_a_removed_seal_breaks_the_link_of_the_next(sealed):
    _first, second, third = AuditSeal.objects.order_by("last_id")
    with triggers_off():
        raw("DELETE FROM audit_auditseal WHERE id = %s", [second.pk])
    message = _broken()
    assert f"zegel {third.pk} " in message
    assert "vorige zegel" in message


def test_since_checks_from_a_seal_id_and_still_checks_the_link(sealed):
    _first, second, _third = AuditSeal.objects.order_by("last_id")
    with triggers_off():
        raw("UPDATE audit_auditrecord SET reden = 'x' WHERE id = %s", [sealed[0].pk])
    out = StringIO()
    call_command("audit_verify", since=str(second.pk), stdout=out)
    assert "OK: 8 auditregels in 2 zegels" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("audit_verify", since="2000-01-01", stdout=StringIO())


def test_export_seals_prints_json_lines_and_anchor_check_uses_them(sealed, tmp_path):
    out = StringIO()
    call_command("audit_export_seals", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["seal_id"] for line in lines] == list(
        AuditSeal.objects.order_by("last_id").values_list("id", flat=True)
    )
    assert all(len(line["seal_hash"]) == 64 for line in lines)
    anchor = tmp_path / "anker.jsonl"
    anchor.write_text(out.getvalue())
    assert "3 anker(s) in 1 opslag(en) kloppen" in _verify_with_anchor(anchor)
    with triggers_off():
        raw("DELETE FROM audit_auditseal WHERE id = %s", [lines[-1]["seal_id"]])
    with pytest.raises(CommandError, match="de keten is ingekort"):
        _verify_with_anchor(anchor)


def _verify_with_anchor(path) -> str:
    out = StringIO()
    call_command("audit_verify", anchor=str(path), stdout=out)
    return out.getvalue()


def test_canonical_form_covers_every_field_of_the_model():
    model_columns = {f.column for f in AuditRecord._meta.concrete_fields}
    assert set(canonical.COLUMNS) == model_columns


@pytest.mark.postgres
@pytest.mark.parametrize(
    "versie", [canonical.SEAL_KEYED_V3, canonical.SEAL_KEYED_V4, canonical.SEAL_KEYED]
)
def test_sql_and_python_canonical_forms_agree(make_records, versie):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    make_records(
        3,
        persoon_ids=['é"\\\n\t\x01z', "ü\u2028"],
        velden=['a"b'],
        username="Zoë\x7f",
        huishouden_id=uuid.uuid4(),
    )
    trigger = get_user_model()(pk=4242, username="consulent-ü")
    make_records(2, trigger=trigger, huishouden_ids=[uuid.uuid4()])
    make_records(1, huishouden_ids=[uuid.uuid4(), uuid.uuid4()], noodtoegang=True)
    where = AuditContext("verzoek-1", "2001:db8::1", "Firefox ü", uuid.uuid4())
    with audit_context.bound(where):
        make_records(2, reden="met\nregels")
    rows = AuditRecord.objects.order_by("id").values_list(*canonical.COLUMNS)
    form = canonical.record_form(versie)
    assert records_hash_between(0, 10**15, versie=versie) == canonical.records_hash(rows, form)


@pytest.mark.postgres
@pytest.mark.parametrize("form", [canonical.FORM_BINARY, canonical.FORM_ROW])
def test_one_query_over_many_seals_hashes_each_seal_range(make_records, form):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    ids = [r.pk for r in make_records(7)]
    # (after, last] per seal; the third range holds no record any more.
    ranges = [(0, ids[1]), (ids[1], ids[4]), (ids[4], ids[5]), (ids[5], ids[6] + 100)]
    with triggers_off():
        raw("DELETE FROM audit_auditrecord WHERE id = %s", [ids[5]])
    expected = []
    for lo, hi in ranges:
        rows = AuditRecord.objects.filter(id__gt=lo, id__lte=hi).order_by("id")
        expected.append(canonical.records_hash(rows.values_list(*canonical.COLUMNS), form))
    with transaction.atomic(), connection.cursor() as cursor:
        assert canonical.hashes_pg(form)(cursor, ranges) == expected
    assert [count for count, _ in expected] == [2, 3, 0, 1]


def test_all_records_of_a_seal_inside_a_group_deleted_is_detected(make_records):
    with override_settings(AUDIT_SEAL_BATCH=2):
        make_records(6)
        seal_all()
    middle = AuditSeal.objects.order_by("last_id")[1]
    with triggers_off():
        raw("DELETE FROM audit_auditrecord WHERE id > %s", [middle.first_id - 1])
        raw("DELETE FROM audit_auditseal WHERE last_id > %s", [middle.last_id])
    result = verify_chain()
    assert not result.ok
    assert result.seal_id == middle.pk
    assert "2 auditregel(s) verwijderd" in result.problem
