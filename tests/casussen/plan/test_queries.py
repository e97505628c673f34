"""Reading the plan costs the same number of queries for one goal or many (no N+1)."""

from __future__ import annotations

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casussen.plan import services
from tests.casussen.plan.conftest import scores

pytestmark = pytest.mark.django_db


def _grow(casus, consulent, plan, lid, make_actie, number: int) -> None:
    doel = services.doel_add(
        plan=plan,
        casus=casus,
        by=consulent,
        tekst=f"Doel {number}",
        dimensies=["meedoen"],
        gezinsleden=[lid.pk],
    )
    make_actie(doel, trede=1)
    make_actie(doel, trede=2, eigenaar_soort="gemeente", eigenaar=consulent)
    services.meting_record(
        casus=casus,
        by=consulent,
        soort="evaluatie",
        datum=timezone.localdate(),
        scores=scores(),
        gezinslid=lid,
    )


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["plan", "fragment", "api", "afdrukken"])
def test_queries_do_not_grow_with_goals_actions_and_metingen(
    page, login, consulent, casus, plan, lid, make_actie
):
    client = login(consulent)
    path = (
        f"/api/v1/casussen/{casus.pk}/plan"
        if page == "api"
        else reverse(f"casussen:plan:{page}", args=[casus.pk])
    )
    _grow(casus, consulent, plan, lid, make_actie, 1)
    few = _count(client, path)
    for number in range(2, 6):
        _grow(casus, consulent, plan, lid, make_actie, number)
    assert _count(client, path) == few
