"""Building blocks of object-level access on guardian's direct foreign-key tables.

Domain apps keep a direct-FK permission model per protected model (guardian's
``UserObjectPermissionBase`` subclass with ``content_object`` a real foreign
key). These helpers read and write those tables without guardian's generic
path and without model-level ("global") permissions:

* :func:`permitted_ids` is the one subquery a list selector filters by:
  ``SELECT content_object_id FROM <table> WHERE user_id = %s AND permission_id = %s``,
  answered by the ``(user, permission, content_object)`` unique index;
* :func:`grant` / :func:`revoke` / :func:`codenames_of` are used by the domain
  services that own the grant sources, nowhere else;
* :func:`guardian_objects_for_user` calls guardian itself with the explicit
  flags that close its trap (global permissions and superusers ignored).

Model-level ``view_*``/``change_*`` permissions of protected models must never
be granted; a system check would be too late, so the selectors simply never
look at them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Permission
from django.db import models
from django.db.models.signals import post_migrate
from guardian.shortcuts import get_objects_for_user

_PERMISSION_IDS: dict[tuple[str, str], int] = {}


def _clear_cache(**kwargs: Any) -> None:
    _PERMISSION_IDS.clear()


# A flush (TransactionTestCase) or migrate recreates permissions with new ids.
post_migrate.connect(_clear_cache, dispatch_uid="toegang.policy.clear_permission_ids")


def permission_id(model: type[models.Model], codename: str) -> int:
    """The id of ``<app>.<codename>`` for ``model``; cached per process."""
    key = (model._meta.app_label, codename)
    if key not in _PERMISSION_IDS:
        _PERMISSION_IDS[key] = Permission.objects.get(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            codename=codename,
        ).pk
    return _PERMISSION_IDS[key]


def _protected_model(perm_model: type[models.Model]) -> type[models.Model]:
    return perm_model._meta.get_field("content_object").related_model  # type: ignore[return-value]


def permitted_ids(perm_model: type[models.Model], *, user: Any, codename: str) -> models.QuerySet:
    """Ids of the objects ``user`` holds ``codename`` on, as a subquery (not evaluated)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return perm_model._default_manager.none().values("content_object_id")
    pid = permission_id(_protected_model(perm_model), codename)
    return held_ids(perm_model, user_id=user.pk, permission_id=pid)


def held_ids(
    perm_model: type[models.Model], *, user_id: Any, permission_id: Any
) -> models.QuerySet:
    """:func:`permitted_ids` for an active user's id and a permission id, as they are."""
    return perm_model._default_manager.filter(user_id=user_id, permission_id=permission_id).values(
        "content_object_id"
    )


def codenames_of(perm_model: type[models.Model], *, user_id: int, object_id: Any) -> set[str]:
    """The codenames ``user_id`` holds on one object."""
    return set(
        perm_model._default_manager.filter(
            user_id=user_id, content_object_id=object_id
        ).values_list("permission__codename", flat=True)
    )


def grant(
    perm_model: type[models.Model], *, user_id: int, object_id: Any, codenames: Iterable[str]
) -> None:
    model = _protected_model(perm_model)
    rows = [
        perm_model(
            user_id=user_id, content_object_id=object_id, permission_id=permission_id(model, c)
        )
        for c in codenames
    ]
    perm_model._default_manager.bulk_create(rows, ignore_conflicts=True)


def revoke(
    perm_model: type[models.Model], *, user_id: int, object_id: Any, codenames: Iterable[str]
) -> None:
    model = _protected_model(perm_model)
    ids = [permission_id(model, c) for c in codenames]
    perm_model._default_manager.filter(
        user_id=user_id, content_object_id=object_id, permission_id__in=ids
    ).delete()


def holders(perm_model: type[models.Model], *, object_id: Any, codename: str) -> set[int]:
    """Active users holding ``codename`` on one object (e.g. the recipients of its events).

    Inactive users are left out, as ``permitted_ids`` gives them nothing on the pages.
    """
    pid = permission_id(_protected_model(perm_model), codename)
    return set(
        perm_model._default_manager.filter(
            content_object_id=object_id, permission_id=pid, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def guardian_objects_for_user(user: Any, perm: str, queryset: models.QuerySet) -> models.QuerySet:
    """guardian's ``get_objects_for_user`` with its trap closed.

    ``accept_global_perms=False`` and ``with_superuser=False``: a model-level
    permission or ``is_superuser`` opens nothing; only object rows count.
    """
    return get_objects_for_user(
        user,
        perm,
        klass=queryset,
        use_groups=False,
        any_perm=False,
        with_superuser=False,
        accept_global_perms=False,
    )
