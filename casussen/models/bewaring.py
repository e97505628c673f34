"""Destruction lists: what reached its bewaartermijn, the decision on it, and its destruction.

A ``Vernietigingslijst`` is drawn up by the nightly job (or by hand); each of its
``Vernietigingsitem`` rows names one huishouden by id with the closure dates, legal
basis and term that put it there, never a name. Items keep plain ids (no foreign
keys), so the list outlives the rows it destroyed and shows what went when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Vernietigingslijst(models.Model):
    id = models.BigAutoField(primary_key=True)
    opgesteld_op = models.DateTimeField(_("opgesteld op"), default=timezone.now)
    #: None when the nightly job drew it up.
    opgesteld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opgesteld door"),
    )

    class Meta:
        verbose_name = _("vernietigingslijst")
        verbose_name_plural = _("vernietigingslijsten")
        ordering = ["-opgesteld_op"]

    def __str__(self) -> str:
        return f"Vernietigingslijst {self.pk} ({self.opgesteld_op:%Y-%m-%d})"


class Besluit(models.TextChoices):
    VOORGESTELD = "voorgesteld", _("Voorgesteld")
    GOEDGEKEURD = "goedgekeurd", _("Goedgekeurd")
    AANGEHOUDEN = "aangehouden", _("Aangehouden")
    VERNIETIGD = "vernietigd", _("Vernietigd")


class Vernietigingsitem(models.Model):
    """One huishouden on a list: its casussen and signalen go together (one data key)."""

    id = models.BigAutoField(primary_key=True)
    lijst = models.ForeignKey(
        Vernietigingslijst, on_delete=models.PROTECT, related_name="items", verbose_name=_("lijst")
    )
    huishouden_id = models.UUIDField(_("huishouden"))
    casus_ids = models.JSONField(_("casussen"), default=list)
    signaal_ids = models.JSONField(_("signalen"), default=list)
    #: The users who closed its casussen: none of them may approve the item.
    afsluiter_ids = models.JSONField(default=list)
    afgesloten_op = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    grondslag = models.CharField(_("grondslag"), max_length=32, blank=True)
    termijn = models.CharField(_("bewaartermijn"), max_length=64)
    verlopen_op = models.DateField(_("termijn verstreken op"))
    besluit = models.CharField(
        _("besluit"), max_length=16, choices=Besluit.choices, default=Besluit.VOORGESTELD
    )
    besluit_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besluit door"),
    )
    besluit_op = models.DateTimeField(_("besluit op"), null=True, blank=True)
    toelichting = models.CharField(_("toelichting"), max_length=500, blank=True)
    vernietigd_op = models.DateTimeField(_("vernietigd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("vernietigingsitem")
        verbose_name_plural = _("vernietigingsitems")
        ordering = ["verlopen_op", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["huishouden_id"],
                condition=Q(besluit__in=["voorgesteld", "goedgekeurd"]),
                name="vernietigingsitem_een_lopend_per_huishouden",
            )
        ]
        indexes = [models.Index(fields=["besluit", "verlopen_op"], name="vernietiging_besluit")]

    def __str__(self) -> str:
        return f"Vernietigingsitem {self.pk}"
