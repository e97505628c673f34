"""Writes of the platform kernel: users, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from audit.models import Actie, Doel
from audit.services import record
from toegang.models import ApiToken, Organisatie, Team, User
from toegang.roles import Rol

TOKEN_PREFIX_LENGTH = 8


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def user_set_rol(*, user: User, rol: str) -> User:
    """Give ``user`` exactly one role: the field and the matching group."""
    if rol not in Rol.values:
        raise ValueError(f"unknown role {rol!r}")
    user.rol = rol
    user.save(update_fields=["rol"])
    group, _ = Group.objects.get_or_create(name=rol)
    user.groups.remove(*user.groups.filter(name__in=Rol.values).exclude(pk=group.pk))
    user.groups.add(group)
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    rol: str,
    organisatie: Organisatie | None,
    team: Team | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    telefoon: str = "",
    is_api_client: bool = False,
) -> User:
    user = User(
        username=username,
        organisatie=organisatie,
        team=team,
        first_name=first_name,
        last_name=last_name,
        email=email,
        telefoon=telefoon,
        rol=rol,
        is_api_client=is_api_client,
        is_staff=rol == Rol.BEHEERDER,
        is_superuser=False,
    )
    if password and not is_api_client:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user_set_rol(user=user, rol=rol)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str


@transaction.atomic
def api_token_create(*, user: User, naam: str = "standaard", by: User | None = None) -> IssuedToken:
    """Issue a token for ``user``; the plaintext is returned once and never stored."""
    plaintext = "bt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        naam=naam,
        prefix=plaintext[3 : 3 + TOKEN_PREFIX_LENGTH],
        digest=token_digest(plaintext),
    )
    record(
        actor=by,
        actie=Actie.CREATE,
        doel=Doel.BEHEER,
        object_type="api_token",
        object_id=token.pk,
    )
    return IssuedToken(token=token, plaintext=plaintext)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            actor=by,
            actie=Actie.DELETE,
            doel=Doel.BEHEER,
            object_type="api_token",
            object_id=token.pk,
        )
    return token


@transaction.atomic
def api_token_rotate(*, token: ApiToken, by: User | None = None) -> IssuedToken:
    """Revoke ``token`` and issue a new one with the same name for the same user."""
    api_token_revoke(token=token, by=by)
    return api_token_create(user=token.user, naam=token.naam, by=by)
