"""Queries compiled once (toegang.prepared) give what the queryset gives, for any values.

On PostgreSQL the shapes below run from compiled SQL; elsewhere, and for values or
lookups the compiled SQL cannot take, ``run`` is the plain queryset.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from tests.toegang.factories import OrganisatieFactory, TeamFactory, UserFactory
from toegang.models import Organisatie, PasskeyDevice, User
from toegang.prepared import PreparedQueries

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"


def _users(username: str, joined_before: datetime):
    return (
        User.objects.select_related("organisatie", "team")
        .filter(username=username, date_joined__lt=joined_before)
        .annotate(naam=F("organisatie__naam"))
    )


def _seen(user: User) -> tuple:
    return (
        user.pk,
        user.username,
        user.naam,  # type: ignore[attr-defined]
        user.organisatie.naam if user.organisatie else None,
        user.team.naam if user.team else None,
    )


def test_each_call_gets_the_rows_of_its_own_values_as_the_queryset_would():
    queries = PreparedQueries()
    team = TeamFactory()
    anne = UserFactory(username="anne", team=team, organisatie=team.organisatie)
    bram = UserFactory(username="bram", organisatie=OrganisatieFactory(naam="Elders"))
    later = timezone.now() + timedelta(minutes=1)
    for user in (anne, bram, anne):
        got = queries.run("users", _users, [user.username, later])
        assert [_seen(u) for u in got] == [_seen(u) for u in _users(user.username, later)]
        assert [u.pk for u in got] == [user.pk]
        assert got[0].team is None or got[0].team.organisatie_id == team.organisatie_id
    assert queries.run("users", _users, ["niemand", later]) == []
    assert queries.run("users", _users, ["anne", later - timedelta(days=1)]) == []
    assert queries.is_prepared("users", [str, datetime]) is ON_POSTGRES


def test_select_related_objects_need_no_query_afterwards(django_assert_num_queries):
    queries = PreparedQueries()
    team = TeamFactory()
    UserFactory(username="cees", team=team, organisatie=team.organisatie)
    later = timezone.now() + timedelta(minutes=1)
    queries.run("users", _users, ["cees", later])
    with django_assert_num_queries(1):
        [user] = queries.run("users", _users, ["cees", later])
        assert user.team.naam == team.naam and user.organisatie.naam == team.organisatie.naam


def test_prefetch_lookups_run_as_on_the_queryset():
    queries = PreparedQueries()
    organisatie = OrganisatieFactory(naam="Met teams")
    TeamFactory(organisatie=organisatie, naam="A")
    TeamFactory(organisatie=organisatie, naam="B")

    def build(naam: str):
        return Organisatie.objects.filter(naam=naam).prefetch_related("teams")

    for _ in range(2):
        [got] = queries.run("teams", build, ["Met teams"])
        assert sorted(t.naam for t in got.teams.all()) == ["A", "B"]


def test_values_it_cannot_take_run_the_plain_queryset():
    queries = PreparedQueries()
    UserFactory(username="dirk")
    naive = datetime.now() + timedelta(days=1)

    def active(username: str, is_active: bool):
        return User.objects.filter(username=username, is_active=is_active)

    assert [u.username for u in queries.run("active", active, ["dirk", True])] == ["dirk"]
    assert queries.run("active", active, ["dirk", False]) == []
    assert not queries.is_prepared("active", [str, bool])
    with pytest.warns(RuntimeWarning):  # Django's own warning on the plain path
        assert len(queries.run("users", _users, ["dirk", naive])) == 1
    assert not queries.is_prepared("users", [str, datetime])


def test_a_value_that_a_lookup_rewrites_leaves_the_shape_plain():
    queries = PreparedQueries()
    UserFactory(username="evert")

    def containing(part: str):
        return User.objects.filter(username__icontains=part)

    assert [u.username for u in queries.run("contains", containing, ["VER"])] == ["evert"]
    assert queries.run("contains", containing, ["xyz"]) == []
    assert not queries.is_prepared("contains", [str])


def test_model_rows_tuples_and_flat_values_are_prepared_other_rows_not():
    queries = PreparedQueries()
    fleur = UserFactory(username="fleur", team=TeamFactory(naam="Noord"))
    UserFactory(username="gijs")

    def ids(username: str):
        return User.objects.filter(username=username).values_list("pk", flat=True)

    def tuples(username: str):
        # Annotations and related columns in the order asked for, converters applied.
        return (
            User.objects.filter(username=username)
            .annotate(team_naam=F("team__naam"))
            .values_list("team_naam", "pk", "date_joined", "organisatie__naam")
        )

    def named(username: str):
        return User.objects.filter(username=username).values_list("pk", named=True)

    def counted(username: str):
        return User.objects.filter(username=username).values("rol").annotate(n=Count("pk"))

    assert queries.run("ids", ids, ["fleur"]) == [fleur.pk]
    assert queries.run("ids", ids, ["niemand"]) == []
    assert queries.is_prepared("ids", [str]) is ON_POSTGRES
    for _ in range(2):
        assert queries.run("tuples", tuples, ["fleur"]) == list(tuples("fleur"))
    assert queries.run("tuples", tuples, ["fleur"])[0][:2] == ("Noord", fleur.pk)
    assert queries.is_prepared("tuples", [str]) is ON_POSTGRES
    assert queries.run("named", named, ["fleur"])[0].pk == fleur.pk
    assert not queries.is_prepared("named", [str])
    assert queries.run("counted", counted, ["fleur"]) == list(counted("fleur"))
    assert not queries.is_prepared("counted", [str])


@pytest.mark.skipif(not ON_POSTGRES, reason="compiled SQL runs on PostgreSQL only")
def test_the_api_token_and_case_list_lookups_are_prepared(consulent, client):
    from casussen.selectors import DEFAULT_SORT, PAGE_SIZE, Filters, casussen_page, casussen_rijen
    from casussen.selectors import _queries as lijsten
    from toegang.api.authentication import _queries as tokens
    from toegang.services import api_token_create

    token = api_token_create(user=consulent, naam="t").plaintext
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert tokens.is_prepared("active_token", [str])
    casussen_page(user=consulent, filters=Filters())
    shape = ("casussen_page", Filters(), DEFAULT_SORT, False, PAGE_SIZE)
    assert lijsten.is_prepared(shape, [int, int])
    casussen_rijen(user=consulent, filters=Filters())
    assert lijsten.is_prepared(("casussen_rijen", *shape[1:]), [int, int])


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(not ON_POSTGRES, reason="prepared statements of PostgreSQL")
@pytest.mark.parametrize("prepare", [True, False])
def test_postgresql_prepares_the_statement_unless_switched_off(settings, prepare):
    settings.PREPARED_STATEMENTS = prepare
    queries = PreparedQueries()
    UserFactory(username="hanna", first_name="Hanna", last_name="Visser")
    # A query of its own per case: a connection keeps what it prepared before.
    column = "first_name" if prepare else "last_name"

    def named(name: str, username: str):
        return User.objects.filter(**{column: name}, username=username)

    name = "Hanna" if prepare else "Visser"
    for _ in range(2):
        assert [u.username for u in queries.run("named", named, [name, "hanna"])] == ["hanna"]
    mine = [s for s in _prepared_statements() if f'"{column}" = $1' in s]
    assert bool(mine) is prepare


def _passkeys(user_id: int):
    return PasskeyDevice.objects.select_related("user").filter(user_id=user_id)


def _count_compiler_calls(monkeypatch, method: str) -> list[int]:
    """Record each call of ``SQLCompiler.<method>`` (its number of expressions)."""
    from django.db.models.sql.compiler import SQLCompiler

    calls: list[int] = []
    real = getattr(SQLCompiler, method)

    def counting(self, expressions):
        calls.append(len(expressions))
        return real(self, expressions)

    monkeypatch.setattr(SQLCompiler, method, counting)
    return calls


def test_row_converters_apply_and_are_looked_up_once_per_shape(monkeypatch):
    """A JSON column comes back decoded on every call; Django's per-execution look-up of
    each column's converters happens once, when the shape is compiled."""
    looked_up = _count_compiler_calls(monkeypatch, "get_converters")
    queries = PreparedQueries()
    user = UserFactory()
    PasskeyDevice.objects.create(
        user=user, name="sleutel", credential_id=b"id", public_key=b"pk", transports=["usb"]
    )
    looked_up.clear()
    for _ in range(3):
        (device,) = queries.run("passkeys", _passkeys, [user.pk])
        assert device.transports == ["usb"]
        assert device.user.username == user.username
    if ON_POSTGRES:
        assert len(looked_up) == 1  # at compile time; the plain queryset: once per call


def test_the_composite_key_check_happens_once_per_shape(monkeypatch):
    """Django checks each selected column for a composite key on every execution; a
    compiled shape knows the answer from its compile."""
    checked = _count_compiler_calls(monkeypatch, "has_composite_fields")
    queries = PreparedQueries()
    user = UserFactory(username="ilse")
    checked.clear()
    for _ in range(3):
        assert [u.pk for u in queries.run("users", _users, ["ilse", timezone.now()])] == [user.pk]
    assert len(checked) == (1 if ON_POSTGRES else 3)
