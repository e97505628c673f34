"""Partner API clients: an API-only melder account of one organisation, with its tokens."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Actie, Doel
from audit.services import record
from signalen.models import PartnerClient, validate_rate
from signalen.throttles import forget_client_rate
from toegang.models import Organisatie, User
from toegang.roles import Rol
from toegang.services import IssuedToken, api_token_create, api_token_revoke, user_create

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,60}$")


@transaction.atomic
def partner_client_create(
    *,
    username: str,
    organisatie: Organisatie,
    by: Any,
    omschrijving: str = "",
    rate_limit: str = "",
) -> tuple[PartnerClient, IssuedToken]:
    """A melder account that only uses the API, bound to ``organisatie``, with a first token."""
    if not USERNAME_PATTERN.match(username):
        raise ValidationError(
            {"username": [_("Gebruik 3 tot 61 kleine letters, cijfers, punten of streepjes.")]}
        )
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("Deze naam is al in gebruik.")]})
    if organisatie.soort == Organisatie.Soort.GEMEENTE:
        raise ValidationError({"organisatie": [_("Kies een partnerorganisatie.")]})
    if rate_limit:
        validate_rate(rate_limit)
    user = user_create(
        username=username,
        password=None,
        rol=Rol.MELDER,
        organisatie=organisatie,
        is_api_client=True,
    )
    client = PartnerClient.objects.create(
        user=user, omschrijving=omschrijving, rate_limit=rate_limit
    )
    record(
        actor=by,
        actie=Actie.CREATE,
        doel=Doel.BEHEER,
        object_type="partner_client",
        object_id=client.pk,
        velden=["organisatie", "rate_limit"],
    )
    return client, api_token_create(user=user, naam="standaard", by=by)


@transaction.atomic
def partner_client_rotate(*, client: PartnerClient, by: Any) -> IssuedToken:
    """Revoke every active token of the client and issue one new token."""
    for token in client.user.api_tokens.filter(revoked_at__isnull=True):
        api_token_revoke(token=token, by=by)
    return api_token_create(user=client.user, naam="standaard", by=by)


@transaction.atomic
def partner_client_revoke(*, client: PartnerClient, by: Any) -> int:
    """Revoke every active token: the partner system is locked out until a new token."""
    tokens = list(client.user.api_tokens.filter(revoked_at__isnull=True))
    for token in tokens:
        api_token_revoke(token=token, by=by)
    return len(tokens)


@transaction.atomic
def partner_client_set_rate(*, client: PartnerClient, rate_limit: str, by: Any) -> PartnerClient:
    if rate_limit:
        validate_rate(rate_limit)
    client.rate_limit = rate_limit
    client.save(update_fields=["rate_limit"])
    user_id = client.user_id
    forget_client_rate(user_id)  # now, and again once committed (no stale re-cache in between)
    transaction.on_commit(lambda: forget_client_rate(user_id))
    record(
        actor=by,
        actie=Actie.UPDATE,
        doel=Doel.BEHEER,
        object_type="partner_client",
        object_id=client.pk,
        velden=["rate_limit"],
    )
    return client
