"""Huishouden and gezinsleden: the people of "1 gezin", their personal data sealed.

Every huishouden has its own data key; every personal field of its gezinsleden
is sealed with it, and destroying it (``huishouden_shred``) makes all of them
unreadable. Lookups go through the blind-index columns, never the sealed ones.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from toegang.crypto.fields import (
    BlindIndexField,
    SealedCharField,
    SealedDateField,
    SealedManager,
)
from toegang.crypto.sealing import VERNIETIGD


class Huishouden(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.OneToOneField(
        "toegang.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    shredded_at = models.DateTimeField(_("vernietigd"), null=True, blank=True, editable=False)
    #: CBS buurt code (``monitor.buurten``): from the address, else the signal, else the
    #: partner organisation; ``buurt_bron`` says which. Only the code reaches the monitor.
    buurt_code = models.CharField(_("buurtcode"), max_length=10, blank=True, editable=False)
    buurt_bron = models.CharField(_("bron van de buurt"), max_length=16, blank=True, editable=False)

    sealed_with = "data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("huishouden")
        verbose_name_plural = _("huishoudens")

    def __str__(self) -> str:
        return f"Huishouden {self.pk}"

    @property
    def is_vernietigd(self) -> bool:
        return self.shredded_at is not None


class Relatie(models.TextChoices):
    AANVRAGER = "aanvrager", _("aanvrager")
    PARTNER = "partner", _("partner")
    KIND = "kind", _("kind")
    OVERIG = "overig", _("overig")


class Gezinslid(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    huishouden = models.ForeignKey(
        Huishouden,
        on_delete=models.PROTECT,
        related_name="gezinsleden",
        verbose_name=_("huishouden"),
    )
    relatie = models.CharField(
        _("relatie"), max_length=16, choices=Relatie.choices, default=Relatie.OVERIG
    )
    voornaam = SealedCharField(_("voornaam"), max_length=100, blank=True)
    achternaam = SealedCharField(_("achternaam"), max_length=200)
    geboortedatum = SealedDateField(_("geboortedatum"), null=True, blank=True)
    bsn = SealedCharField(_("BSN"), max_length=9, blank=True)
    straat = SealedCharField(_("straat"), max_length=200, blank=True)
    huisnummer = SealedCharField(_("huisnummer"), max_length=20, blank=True)
    postcode = SealedCharField(_("postcode"), max_length=7, blank=True)
    woonplaats = SealedCharField(_("woonplaats"), max_length=100, blank=True)
    telefoon = SealedCharField(_("telefoon"), max_length=30, blank=True)
    bsn_index = BlindIndexField(kind="bsn", source=("bsn",))
    naam_geboortedatum_index = BlindIndexField(
        kind="naam_geboortedatum", source=("achternaam", "geboortedatum")
    )
    postcode_huisnummer_index = BlindIndexField(
        kind="postcode_huisnummer", source=("postcode", "huisnummer")
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    sealed_with = "huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("gezinslid")
        verbose_name_plural = _("gezinsleden")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Gezinslid {self.pk}"

    @property
    def adres(self) -> Any:
        """One line, "Dorpsstraat 12, 3881 AB Putten" (``VERNIETIGD`` after shredding)."""
        if self.straat is VERNIETIGD:
            return VERNIETIGD
        return adres_regel(self.straat, self.huisnummer, self.postcode, self.woonplaats)


def adres_regel(straat: str, huisnummer: str, postcode: str, woonplaats: str) -> str:
    """The Dutch address line; missing parts are left out, the postcode as "3881 AB"."""
    code = "".join((postcode or "").split()).upper()
    if len(code) == 6:
        code = f"{code[:4]} {code[4:]}"
    parts = [f"{straat or ''} {huisnummer or ''}".strip(), f"{code} {woonplaats or ''}".strip()]
    return ", ".join(part for part in parts if part)
