"""``DataKey``: one random AES-256 key per huishouden, stored only wrapped by a KEK.

Defined here and imported by ``toegang/models.py``, so it belongs to the ``toegang`` app.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A data key wrapped (AES-256-GCM) by key-encryption key ``kek_version`` of the key ring.

    Destroying it (crypto-shredding) empties ``wrapped`` and sets ``destroyed_at``;
    everything sealed with it is unreadable from then on.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped = models.BinaryField(editable=False)
    kek_version = models.PositiveIntegerField(db_index=True, editable=False)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    destroyed_at = models.DateTimeField(_("vernietigd"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("gegevenssleutel")
        verbose_name_plural = _("gegevenssleutels")

    def __str__(self) -> str:
        return f"DataKey {self.pk} (KEK v{self.kek_version})"

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_cipher_memo", None)  # the in-process cipher never leaves the process
        return state

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None or not self.wrapped
