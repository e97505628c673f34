from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from toegang.demo import DEMO_PASSWORD, USERS
from toegang.models import Organisatie, User
from toegang.roles import Rol


def test_demo_is_idempotent_and_prints_the_logins(db):
    first, second = StringIO(), StringIO()
    call_command("demo", stdout=first)
    counts = (User.objects.count(), Organisatie.objects.count())
    call_command("demo", stdout=second)
    assert (User.objects.count(), Organisatie.objects.count()) == counts
    assert counts[0] == len(USERS)
    for output in (first.getvalue(), second.getvalue()):
        assert DEMO_PASSWORD in output
        assert all(user.username in output for user in USERS)


def test_demo_has_every_role_and_a_team_of_four_consulenten(db):
    call_command("demo", stdout=StringIO())
    assert set(User.objects.values_list("rol", flat=True)) == set(Rol.values)
    consulenten = User.objects.filter(rol=Rol.CONSULENT)
    assert consulenten.count() == 4
    assert consulenten.filter(team__isnull=False).count() == 4
    kinds = set(Organisatie.objects.values_list("soort", flat=True))
    assert {"gemeente", "inloophuis", "huisarts", "school", "welzijn"} <= kinds
