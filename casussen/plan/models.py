"""Models of the plan: metingen (uitvraag, evaluatie), the plan, its versions, doelen and acties.

Imported by ``casussen.models``, so they belong to the ``casussen`` app. Every
resident word, goal text and note is sealed with the huishouden's data key
(``sealed_with``); crypto-shredding the huishouden makes them unreadable.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casussen.plan.constants import (
    DIMENSIES,
    SCORE_MAX,
    SCORE_MIN,
    ActieStatus,
    DoelUitkomst,
    EigenaarSoort,
    MetingSoort,
    PlanStatus,
    Trede,
)
from toegang.crypto.fields import SealedCharField, SealedManager, SealedTextField


def _score_field(label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )


class Meting(models.Model):
    """The six scores of Positieve Gezondheid at one moment: the uitvraag or an evaluatie."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    huishouden = models.ForeignKey(
        "casussen.Huishouden", on_delete=models.PROTECT, related_name="metingen"
    )
    casus = models.ForeignKey("casussen.Casus", on_delete=models.PROTECT, related_name="metingen")
    gezinslid = models.ForeignKey(
        "casussen.Gezinslid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="metingen",
        verbose_name=_("gezinslid"),
    )
    soort = models.CharField(_("soort"), max_length=16, choices=MetingSoort.choices)
    datum = models.DateField(_("datum"))
    lichaamsfuncties = _score_field(_("lichaamsfuncties"))
    mentaal_welbevinden = _score_field(_("mentaal welbevinden"))
    zingeving = _score_field(_("zingeving"))
    kwaliteit_van_leven = _score_field(_("kwaliteit van leven"))
    meedoen = _score_field(_("meedoen"))
    dagelijks_functioneren = _score_field(_("dagelijks functioneren"))
    toelichting_lichaamsfuncties = SealedTextField(null=True, blank=True)
    toelichting_mentaal_welbevinden = SealedTextField(null=True, blank=True)
    toelichting_zingeving = SealedTextField(null=True, blank=True)
    toelichting_kwaliteit_van_leven = SealedTextField(null=True, blank=True)
    toelichting_meedoen = SealedTextField(null=True, blank=True)
    toelichting_dagelijks_functioneren = SealedTextField(null=True, blank=True)
    afgenomen_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    sealed_with = "huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("meting")
        verbose_name_plural = _("metingen")
        ordering = ["datum", "created_at"]
        indexes = [models.Index(fields=["huishouden", "datum"], name="meting_hh_datum")]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{code}__gte": SCORE_MIN, f"{code}__lte": SCORE_MAX}),
                name=f"meting_{code}_0_10",
            )
            for code in DIMENSIES
        ]

    def __str__(self) -> str:
        return f"meting {self.pk}"

    def scores(self) -> dict[str, int]:
        return {code: getattr(self, code) for code in DIMENSIES}

    def toelichtingen(self) -> dict[str, str]:
        """Decrypts the six notes: call only where a page shows them."""
        return {code: getattr(self, f"toelichting_{code}") or "" for code in DIMENSIES}


class UitvraagNotitie(models.Model):
    """The brede uitvraag's note on one leefgebied (sealed)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meting = models.ForeignKey(Meting, on_delete=models.CASCADE, related_name="notities")
    leefgebied = models.CharField(_("leefgebied"), max_length=32)
    notitie = SealedTextField()

    sealed_with = "meting__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("notitie brede uitvraag")
        verbose_name_plural = _("notities brede uitvraag")
        constraints = [
            models.UniqueConstraint(fields=["meting", "leefgebied"], name="notitie_per_leefgebied")
        ]

    def __str__(self) -> str:
        return f"notitie {self.leefgebied}"


class Plan(models.Model):
    """The one plan of a huishouden. Its doelen and acties are the working (current) version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    huishouden = models.ForeignKey(
        "casussen.Huishouden", on_delete=models.PROTECT, related_name="plannen"
    )
    startdatum = models.DateField(_("startdatum"))
    versie = models.PositiveIntegerField(_("versie"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.CONCEPT
    )
    #: Increases with every change: the version of the ``plan.bijgewerkt`` event.
    revisie = models.PositiveIntegerField(default=0)
    aangemaakt_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plannen")
        constraints = [
            models.UniqueConstraint(fields=["huishouden"], name="plan_een_per_huishouden")
        ]

    def __str__(self) -> str:
        return f"plan {self.pk} v{self.versie}"

    @property
    def is_vastgesteld(self) -> bool:
        return self.status == PlanStatus.VASTGESTELD


class PlanVersie(models.Model):
    """A vastgestelde version: who agreed when, and a sealed snapshot of the content."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versies")
    nummer = models.PositiveIntegerField(_("versie"))
    vastgesteld_op = models.DateField(_("vastgesteld op"))
    aanwezig = SealedTextField()
    inhoud = SealedTextField()
    vastgesteld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    sealed_with = "plan__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("planversie")
        verbose_name_plural = _("planversies")
        ordering = ["nummer"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "nummer"], name="planversie_nummer_uniek")
        ]

    def __str__(self) -> str:
        return f"plan {self.plan_id} versie {self.nummer}"


class Doel(models.Model):
    """A goal in the resident's words, for one or more gezinsleden."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="doelen")
    tekst = SealedTextField()
    dimensies = models.JSONField(_("dimensies"), default=list, blank=True)
    leefgebieden = models.JSONField(_("leefgebieden"), default=list, blank=True)
    gezinsleden = models.ManyToManyField(
        "casussen.Gezinslid", blank=True, related_name="+", verbose_name=_("gezinsleden")
    )
    volgorde = models.PositiveIntegerField(default=0)
    uitkomst = models.CharField(
        _("beoordeling"), max_length=16, choices=DoelUitkomst.choices, blank=True
    )
    beoordeeld_op = models.DateField(_("beoordeeld op"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    sealed_with = "plan__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")
        ordering = ["volgorde", "created_at"]

    def __str__(self) -> str:
        return f"doel {self.pk}"


class Actie(models.Model):
    """A step towards a goal: owner, date, status and its trede of the ondersteuningspiramide."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    doel = models.ForeignKey(Doel, on_delete=models.CASCADE, related_name="acties")
    omschrijving = SealedTextField()
    eigenaar_soort = models.CharField(_("eigenaar"), max_length=24, choices=EigenaarSoort.choices)
    eigenaar = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_acties",
        verbose_name=_("eigenaar (medewerker)"),
    )
    eigenaar_omschrijving = SealedCharField(max_length=200, null=True, blank=True)
    #: A partner organisation that owns the action (an afspraak of the overleg): its
    #: participants may update the action's status, nothing else.
    eigenaar_organisatie = models.ForeignKey(
        "toegang.Organisatie",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("eigenaar (organisatie)"),
    )
    deadline = models.DateField(_("datum klaar"))
    status = models.CharField(
        _("status"), max_length=16, choices=ActieStatus.choices, default=ActieStatus.OPEN
    )
    trede = models.PositiveSmallIntegerField(_("trede"), choices=Trede.choices)
    reden_zwaar = SealedTextField(null=True, blank=True)
    bijgewerkt_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    sealed_with = "doel__plan__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = ["deadline", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(trede__gte=1, trede__lte=4), name="actie_trede_1_4")
        ]

    def __str__(self) -> str:
        return f"actie {self.pk}"
