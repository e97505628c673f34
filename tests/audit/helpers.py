"""Test helpers every app may use to prove its accesses are audited.

    from tests.audit.helpers import assert_audited

    with assert_audited(actie="read", object_type="casus", object_id=casus.pk, user=consulent):
        client.get(url)

fails the test when the block wrote no audit record matching every given field.
List fields (``object_ids``, ``persoon_ids``, ``velden``) match when they contain
all the expected items; other fields compare as strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from audit.models import AuditRecord

_LIST_FIELDS = {"object_ids", "persoon_ids", "velden"}


def _last_id() -> int:
    return AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _matches(record: AuditRecord, expected: dict[str, Any]) -> bool:
    for name, want in expected.items():
        have = getattr(record, name)
        if name in _LIST_FIELDS:
            if not {str(w) for w in want} <= {str(h) for h in have}:
                return False
        elif want is None or isinstance(want, bool):
            if have is not want and have != want:
                return False
        elif str(have) != str(want):
            return False
    return True


def _expected(user: Any, fields: dict[str, Any]) -> dict[str, Any]:
    expected = {k: v for k, v in fields.items() if v is not None or k == "huishouden_id"}
    if user is not None:
        expected["user_id"] = user.pk
    return expected


def _describe(records: list[AuditRecord]) -> str:
    if not records:
        return "no audit records at all"
    return "; ".join(
        f"#{r.pk} {r.actie}/{r.doel} {r.object_type}:{r.object_id} user={r.user_id} "
        f"uitkomst={r.uitkomst}"
        for r in records[:10]
    )


@contextmanager
def assert_audited(
    *, user: Any = None, count: int | None = None, **fields: Any
) -> Iterator[list[AuditRecord]]:
    """Fail unless the block writes an audit record with these field values.

    Yields a list that holds the matching records after the block. ``count``
    demands exactly that many matching records.
    """
    before = _last_id()
    found: list[AuditRecord] = []
    yield found
    new = list(AuditRecord.objects.filter(id__gt=before).order_by("id"))
    expected = _expected(user, fields)
    found.extend(r for r in new if _matches(r, expected))
    if not found:
        pytest.fail(f"no audit record matching {expected}; written: {_describe(new)}")
    if count is not None and len(found) != count:
        pytest.fail(f"expected {count} audit records matching {expected}, got {len(found)}")


@contextmanager
def assert_not_audited(**fields: Any) -> Iterator[None]:
    """Fail if the block writes an audit record matching these fields (or any, if none)."""
    before = _last_id()
    yield
    new = list(AuditRecord.objects.filter(id__gt=before).order_by("id"))
    hits = [r for r in new if _matches(r, _expected(None, fields))]
    if hits:
        pytest.fail(f"unexpected audit records: {_describe(hits)}")
