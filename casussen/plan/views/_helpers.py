"""Small helpers shared by the plan views."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.urls import reverse

from casussen.models import Gezinslid
from casussen.plan.selectors import gezinslid_naam
from casussen.selectors import casus_viewer_ids


def plan_url(casus: Any, anchor: str = "") -> str:
    url = reverse("casussen:plan:plan", args=[casus.pk])
    return f"{url}#{anchor}" if anchor else url


def to_plan(casus: Any, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(plan_url(casus, anchor))


def gezinsleden_choices(casus: Any) -> list[tuple[str, str]]:
    return [
        (str(g.pk), gezinslid_naam(g))
        for g in Gezinslid.objects.filter(huishouden_id=casus.huishouden_id)
    ]


def gezinslid_of(casus: Any, gezinslid_id: str) -> Any:
    if not gezinslid_id:
        return None
    return Gezinslid.objects.filter(huishouden_id=casus.huishouden_id, pk=gezinslid_id).first()


def medewerkers_choices(casus: Any) -> list[tuple[str, str]]:
    users = get_user_model().objects.filter(pk__in=casus_viewer_ids(casus_id=casus.pk))
    return sorted(
        ((str(u.pk), u.get_full_name() or u.get_username()) for u in users),
        key=lambda item: item[1],
    )


def medewerker_of(casus: Any, user_id: str) -> Any:
    if not user_id:
        return None
    return get_user_model().objects.filter(pk=user_id).first()
