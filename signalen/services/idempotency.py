"""``Idempotency-Key``: a client's retry of the same request gets the same answer.

The key is unique per client (database constraint). The first request claims it
inside its transaction; a concurrent twin blocks on the unique index until the
first commits, then fails to insert and replays the committed answer. The
request is remembered only as a keyed digest (HMAC with the secret key), so the
table holds nothing that can be guessed back into a BSN or a name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from signalen.models import IdempotencyKey, Signaal

#: How long a key is remembered; a later retry with the same key is a new request.
KEY_LIFETIME = timedelta(hours=getattr(settings, "SIGNALEN_IDEMPOTENCY_HOURS", 24))
MAX_KEY_LENGTH = 255


class IdempotencyConflictError(Exception):
    """The key was used before for a different request."""

    def __init__(self) -> None:
        self.message = _(
            "Deze Idempotency-Key is al gebruikt voor een ander verzoek. "
            "Gebruik een nieuwe sleutel voor een nieuw signaal."
        )
        super().__init__(self.message)


def validate_idempotency_key(sleutel: str) -> None:
    if not (0 < len(sleutel) <= MAX_KEY_LENGTH) or not all(" " < ch < "\x7f" for ch in sleutel):
        raise ValidationError(
            {
                "Idempotency-Key": [
                    _("Gebruik 1 tot 255 zichtbare ASCII-tekens, bijvoorbeeld een UUID.")
                ]
            }
        )


def request_digest(data: Mapping[str, Any] | Any) -> str:
    """A keyed digest of the request body, independent of key order and whitespace."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return salted_hmac("signalen.idempotency", canonical, algorithm="sha256").hexdigest()


def _live(client: Any, sleutel: str) -> IdempotencyKey | None:
    row = (
        IdempotencyKey.objects.filter(client=client, sleutel=sleutel)
        .only("pk", "request_digest", "signaal_id", "created_at")
        .first()
    )
    if row is not None and row.created_at < timezone.now() - KEY_LIFETIME:
        row.delete()
        return None
    return row


def idempotency_replay(*, client: Any, sleutel: str, digest: str) -> Signaal | None:
    """The signal a committed earlier request made, or None if the key is new."""
    row = _live(client, sleutel)
    if row is None or row.signaal_id is None:
        return None
    if row.request_digest != digest:
        raise IdempotencyConflictError
    signaal = Signaal.objects.get(pk=row.signaal_id)
    signaal.herhaald = True
    return signaal


def idempotency_claim(*, client: Any, sleutel: str, digest: str) -> IdempotencyKey:
    """Insert the key (inside the caller's transaction); IntegrityError if taken."""
    return IdempotencyKey.objects.create(client=client, sleutel=sleutel, request_digest=digest)


def idempotency_keys_purge() -> int:
    """Forget keys older than their lifetime (a worker job); returns how many."""
    deleted, _rows = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - KEY_LIFETIME
    ).delete()
    return deleted
