"""Requests of a resident under the AVG (art. 16, 17, 18, 21), handled by the privacy officer.

A ``Rechtenverzoek`` names the household (and for a correction the gezinslid and
field) with its kind, status and deadline (one month, art. 12 lid 3, extendable
once by two months with a reason). It holds no free text and no values, so it
outlives a granted erasure and still shows that and when the request was handled.
What was asked and decided, with reasons and the old and new value of a
correction, is in its ``Verzoekstap`` rows, sealed with the household's key: they
go with the household when it is destroyed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toegang.crypto.fields import SealedCharField, SealedManager, SealedTextField


class Verzoeksoort(models.TextChoices):
    CORRECTIE = "correctie", _("Correctie (art. 16)")
    BEPERKING = "beperking", _("Beperking van de verwerking (art. 18)")
    BEZWAAR = "bezwaar", _("Bezwaar (art. 21)")
    WISSING = "wissing", _("Wissing (art. 17)")


class Verzoekstatus(models.TextChoices):
    OPEN = "open", _("In behandeling")
    TOEGEWEZEN = "toegewezen", _("Toegewezen")
    UITGEVOERD = "uitgevoerd", _("Uitgevoerd")
    AFGEWEZEN = "afgewezen", _("Afgewezen")
    OPGEHEVEN = "opgeheven", _("Beperking opgeheven")


class Rechtenverzoek(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    soort = models.CharField(_("soort"), max_length=16, choices=Verzoeksoort.choices)
    huishouden = models.ForeignKey(
        "casussen.Huishouden",
        on_delete=models.PROTECT,
        related_name="rechtenverzoeken",
        verbose_name=_("huishouden"),
    )
    #: A correction: the gezinslid (plain id, so the request outlives it) and field.
    gezinslid_id = models.UUIDField(_("gezinslid"), null=True, blank=True)
    veld = models.CharField(_("veld"), max_length=32, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Verzoekstatus.choices, default=Verzoekstatus.OPEN
    )
    ontvangen_op = models.DateField(_("ontvangen op"))
    termijn = models.DateField(_("uiterlijk afhandelen op"))
    verlengd = models.BooleanField(_("verlengd"), default=False)
    ingediend_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("geregistreerd door"),
    )
    besloten_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besloten door"),
    )
    besloten_op = models.DateTimeField(_("besloten op"), null=True, blank=True)
    created_at = models.DateTimeField(_("geregistreerd op"), default=timezone.now)

    class Meta:
        verbose_name = _("verzoek van een inwoner")
        verbose_name_plural = _("verzoeken van inwoners")
        ordering = ["termijn", "created_at"]
        indexes = [models.Index(fields=["status", "termijn"], name="rechtenverzoek_status")]

    def __str__(self) -> str:
        return f"Verzoek {self.referentie}"

    @property
    def referentie(self) -> str:
        return str(self.pk).split("-")[0].upper()

    @property
    def is_open(self) -> bool:
        return self.status == Verzoekstatus.OPEN

    @property
    def te_laat(self) -> bool:
        return self.is_open and timezone.localdate() > self.termijn


class Verzoekstap(models.Model):
    """One step of a request: registered, extended, decided, lifted (append-only)."""

    class Soort(models.TextChoices):
        INGEDIEND = "ingediend", _("Geregistreerd")
        VERLENGD = "verlengd", _("Termijn verlengd")
        TOEGEWEZEN = "toegewezen", _("Toegewezen")
        AFGEWEZEN = "afgewezen", _("Afgewezen")
        UITGEVOERD = "uitgevoerd", _("Uitgevoerd")
        OPGEHEVEN = "opgeheven", _("Beperking opgeheven")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    verzoek = models.ForeignKey(
        Rechtenverzoek, on_delete=models.CASCADE, related_name="stappen", verbose_name=_("verzoek")
    )
    soort = models.CharField(_("soort"), max_length=16, choices=Soort.choices)
    tekst = SealedTextField(_("reden of toelichting"))
    oude_waarde = SealedCharField(_("oude waarde"), max_length=200, null=True, blank=True)
    nieuwe_waarde = SealedCharField(_("nieuwe waarde"), max_length=200, null=True, blank=True)
    door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("door")
    )
    op = models.DateTimeField(_("tijdstip"), default=timezone.now)

    sealed_with = "verzoek__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("stap van een verzoek")
        verbose_name_plural = _("stappen van verzoeken")
        ordering = ["op"]

    def __str__(self) -> str:
        return f"{self.get_soort_display()} ({self.op:%Y-%m-%d})"
