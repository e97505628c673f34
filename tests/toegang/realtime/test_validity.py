"""``valid_among``: which of many sockets' credentials still hold, in a few queries."""

from __future__ import annotations

import pytest

from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.toegang.events.helpers import session_cookie_for
from toegang.models import ApiToken, User
from toegang.realtime import validity
from toegang.roles import Rol
from toegang.services import api_token_create

pytestmark = pytest.mark.django_db


def _token_credentials(user):
    issued = api_token_create(user=user)
    return validity.credentials_for(user, {"api_token_id": issued.token.pk}), issued.token


def _session_credentials(user):
    key = session_cookie_for(user)
    session = Session.objects.get(session_key=key)
    store = type("Store", (), {"session_key": session.session_key})()
    return validity.credentials_for(user, {"session": store}), key


def test_the_same_answer_as_the_single_check(make_user):
    users = [make_user(Rol.CONSULENT) for _ in range(4)]
    token_ok, _ = _token_credentials(users[0])
    token_revoked, token = _token_credentials(users[1])
    session_ok, _ = _session_credentials(users[2])
    session_gone, key = _session_credentials(users[3])
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    Session.objects.filter(session_key=key).delete()
    moved = validity.credentials_for(users[0], {"api_token_id": token_ok.token_id})
    User.objects.filter(pk=users[2].pk).update(rol=Rol.MELDER)
    session_moved = session_ok

    everything = [token_ok, token_revoked, session_gone, session_moved, moved]
    assert validity.valid_among(everything) == {c for c in everything if validity.still_valid(c)}
    assert validity.valid_among(everything) == {token_ok}


def test_queries_do_not_grow_with_the_number_of_sockets(make_user, django_assert_max_num_queries):
    users = [make_user(Rol.CONSULENT) for _ in range(12)]
    credentials = [_token_credentials(u)[0] for u in users[:6]]
    credentials += [_session_credentials(u)[0] for u in users[6:]]
    # Tokens: one query; sessions: users, the sessions, and each user's second factor at most
    # once (staff need one by role, so none here).
    with django_assert_max_num_queries(3):
        valid = validity.valid_among(credentials)
    assert valid == set(credentials)


def test_token_sockets_the_same_answer_as_the_single_check_and_the_orm(make_user, team):
    """Tokens alive, revoked, of a deactivated user, of a user whose role or team changed."""
    from tests.toegang.factories import TeamFactory

    users = [make_user(Rol.CONSULENT) for _ in range(5)]
    credentials = [_token_credentials(u) for u in users]
    ApiToken.objects.filter(pk=credentials[1][1].pk).update(revoked_at=timezone.now())
    User.objects.filter(pk=users[2].pk).update(is_active=False)
    User.objects.filter(pk=users[3].pk).update(rol=Rol.TEAMLEIDER)
    User.objects.filter(pk=users[4].pk).update(team=TeamFactory(organisatie=team.organisatie))
    everything = [c for c, _ in credentials]

    assert validity.valid_among(everything) == {c for c in everything if validity.still_valid(c)}
    assert validity.valid_among(everything) == {everything[0]}
    ids = {c.token_id for c in everything}
    assert validity._alive_tokens(ids) == {
        (str(pk), user_id, rol, team_id)
        for pk, user_id, rol, team_id in ApiToken.objects.filter(
            pk__in=ids, revoked_at__isnull=True, user__is_active=True
        ).values_list("pk", "user_id", "user__rol", "user__team_id")
    }
