"""The menu marks one current page: the longest link the path starts with."""

from __future__ import annotations

from toegang.navigation import navigation_for
from toegang.roles import Rol


def _current(user, path: str) -> list[str]:
    return [item.label for item in navigation_for(user, path) if item.current]


def test_a_nested_link_is_the_only_current_one(make_user):
    melder = make_user(Rol.MELDER)
    assert _current(melder, "/signalen/nieuw/") == ["Nieuw signaal"]
    assert _current(melder, "/signalen/") == ["Mijn signalen"]


def test_no_link_is_current_on_an_unrelated_page(make_user):
    assert _current(make_user(Rol.MELDER), "/account/") == []
