"""Overleggen, their sessions, the agenda (casusinbreng per casus) and the afspraken.

Imported by ``casussen.models``, so they belong to the ``casussen`` app. Everything
written about a resident (the summary, the basis for sharing, the verslag and the
afspraken) is sealed with the huishouden's data key, like other casus data.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casussen.plan.constants import Trede
from toegang.crypto.fields import SealedManager, SealedTextField


class Deelgrondslag(models.TextChoices):
    """The basis for sharing a casus with the overleg."""

    TOESTEMMING = "toestemming", _("Toestemming van de inwoner")
    WETTELIJKE_TAAK = "wettelijke_taak", _("Wettelijke taak (Wmo 2015, Jeugdwet)")
    VITAAL_BELANG = "vitaal_belang", _("Vitaal belang (acuut gevaar voor gezondheid of leven)")
    MELDCODE = "meldcode", _("Meldcode huiselijk geweld en kindermishandeling")
    ZWAARWEGEND_BELANG = "zwaarwegend_belang", _("Zwaarwegend algemeen belang")


class AfspraakEigenaar(models.TextChoices):
    ORGANISATIE = "organisatie", _("Organisatie van een deelnemer")
    INWONER = "inwoner", _("Inwoner")
    CONSULENT = "consulent", _("Consulent (aanspreekpunt)")


class Overleg(models.Model):
    """A recurring sociaal vangnet overleg: its chair, standing participants and schedule."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    naam = models.CharField(_("naam"), max_length=200)
    voorzitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="overleggen_als_voorzitter",
        verbose_name=_("voorzitter"),
    )
    deelnemers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="overleggen",
        blank=True,
        verbose_name=_("vaste deelnemers"),
    )
    schema = models.CharField(_("schema"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)

    class Meta:
        verbose_name = _("overleg")
        verbose_name_plural = _("overleggen")
        ordering = ["naam"]

    def __str__(self) -> str:
        return self.naam


class Sessie(models.Model):
    """One meeting of an overleg; its agenda is visible to participants once published."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    overleg = models.ForeignKey(
        Overleg, on_delete=models.CASCADE, related_name="sessies", verbose_name=_("overleg")
    )
    begint_op = models.DateTimeField(_("begint"))
    eindigt_op = models.DateTimeField(_("eindigt"))
    gepubliceerd_op = models.DateTimeField(_("agenda gepubliceerd"), null=True, blank=True)
    huidig_punt = models.ForeignKey(
        "casussen.Agendapunt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("huidig agendapunt"),
    )
    #: Increases with every event about the session (the events' aggregate version).
    versie = models.PositiveIntegerField(_("versie"), default=1)
    aanwezigen = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("aanwezig")
    )

    class Meta:
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")
        ordering = ["begint_op"]

    def __str__(self) -> str:
        from toegang.datums import datum

        return f"{self.overleg} {datum(self.begint_op)}"

    @property
    def is_gepubliceerd(self) -> bool:
        return self.gepubliceerd_op is not None


class Agendapunt(models.Model):
    """A casus on the agenda, brought in by its aanspreekpunt with a casusinbreng."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sessie = models.ForeignKey(
        Sessie, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("sessie")
    )
    casus = models.ForeignKey(
        "casussen.Casus",
        on_delete=models.CASCADE,
        related_name="agendapunten",
        verbose_name=_("casus"),
    )
    volgnummer = models.PositiveSmallIntegerField(_("volgnummer"))
    ingebracht_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ingebracht door"),
    )
    hulpvraag = SealedTextField(_("hulpvraag"))
    geprobeerd = SealedTextField(_("wat is geprobeerd"))
    vraag = SealedTextField(_("vraag aan het overleg"))
    #: The leefgebieden codes, comma-separated and sealed like the rest of the summary.
    leefgebieden = SealedTextField(_("leefgebieden"))
    grondslag = models.CharField(
        _("grondslag voor delen"), max_length=32, choices=Deelgrondslag.choices
    )
    toestemming_datum = models.DateField(_("datum toestemming"), null=True, blank=True)
    #: The scope of the consent, or the explanation of the other legal ground.
    toelichting = SealedTextField(_("reikwijdte of toelichting"))
    gedeeld_met = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("gedeeld met")
    )
    verslag = SealedTextField(_("verslag"), null=True, blank=True)
    besproken_op = models.DateTimeField(_("besproken"), null=True, blank=True)
    created_at = models.DateTimeField(_("ingebracht"), default=timezone.now)

    sealed_with = "casus__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("agendapunt")
        verbose_name_plural = _("agendapunten")
        ordering = ["volgnummer"]
        constraints = [
            models.UniqueConstraint(fields=["sessie", "casus"], name="agendapunt_casus_per_sessie"),
            models.UniqueConstraint(
                fields=["sessie", "volgnummer"], name="agendapunt_volgnummer_uniek"
            ),
        ]

    def __str__(self) -> str:
        return f"agendapunt {self.volgnummer}"

    def leefgebied_codes(self) -> list[str]:
        return [c for c in (self.leefgebieden or "").split(",") if c]

    def leefgebied_labels(self) -> str:
        from casussen import leefgebieden as lg

        return ", ".join(str(lg.label(c)) for c in self.leefgebied_codes())


class Afspraak(models.Model):
    """What the overleg agreed on one agendapunt: an owner, a date, a trede."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agendapunt = models.ForeignKey(
        Agendapunt, on_delete=models.CASCADE, related_name="afspraken", verbose_name=_("agendapunt")
    )
    omschrijving = SealedTextField(_("afspraak"))
    eigenaar_soort = models.CharField(
        _("eigenaar"), max_length=16, choices=AfspraakEigenaar.choices
    )
    organisatie = models.ForeignKey(
        "toegang.Organisatie",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisatie"),
    )
    datum = models.DateField(_("datum"))
    trede = models.PositiveSmallIntegerField(_("trede"), choices=Trede.choices)
    vastgelegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("vastgelegd"), default=timezone.now)
    actie = models.OneToOneField(
        "casussen.Actie",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="afspraak",
        verbose_name=_("actie in het plan"),
    )

    sealed_with = "agendapunt__casus__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"afspraak {self.pk}"
