"""Keep the beheerder group's model permissions in line with ``BEHEERDER_MODELS``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from toegang.roles import BEHEERDER_MODELS, Rol


def sync_beheerder_permissions(**kwargs: Any) -> None:
    group, _ = Group.objects.get_or_create(name=Rol.BEHEERDER)
    wanted: list[Permission] = []
    for label in BEHEERDER_MODELS:
        app_label, model = label.split(".")
        wanted.extend(
            Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        )
    group.permissions.set(wanted)
