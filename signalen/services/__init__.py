"""Writes of the signalen app: keyword-only, one transaction each, audited, with events."""

from __future__ import annotations

from signalen.services.aanmeldingen import (
    signaal_assign,
    signaal_link_casus,
    signaal_match_confirm,
    signaal_match_reject,
    signaal_match_vragen,
    signaal_split,
)
from signalen.services.clients import (
    partner_client_create,
    partner_client_revoke,
    partner_client_rotate,
    partner_client_set_rate,
)
from signalen.services.idempotency import IdempotencyConflictError, idempotency_keys_purge
from signalen.services.intake import signaal_receive
from signalen.services.terugkoppeling import signaal_terugkoppelen

__all__ = [
    "IdempotencyConflictError",
    "idempotency_keys_purge",
    "partner_client_create",
    "partner_client_revoke",
    "partner_client_rotate",
    "partner_client_set_rate",
    "signaal_assign",
    "signaal_link_casus",
    "signaal_match_confirm",
    "signaal_match_reject",
    "signaal_match_vragen",
    "signaal_receive",
    "signaal_split",
    "signaal_terugkoppelen",
]
