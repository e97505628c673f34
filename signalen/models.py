"""Signals, the idempotency keys of the API and the partner API clients.

Everything a melder wrote is sealed with the data key of the signal's
huishouden, so crypto-shredding the huishouden destroys the signal's content
too. The melder sees only ``status`` and ``terugkoppeling``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.throttling import SimpleRateThrottle

from toegang.crypto.fields import SealedCharField, SealedManager, SealedTextField
from toegang.crypto.sealing import VERNIETIGD

MAX_TERUGKOPPELING = 500


class Toestemming(models.TextChoices):
    MET = "met_toestemming", _("Met toestemming")
    ZONDER = "zonder_toestemming", _("Zonder toestemming")
    WARME_OVERDRACHT = "warme_overdracht", _("Warme overdracht")


class Status(models.TextChoices):
    ONTVANGEN = "ontvangen", _("Ontvangen")
    OPGEPAKT = "opgepakt", _("Opgepakt")
    AFGEROND = "afgerond", _("Afgerond")
    DOORVERWEZEN = "doorverwezen", _("Doorverwezen")


#: Statuses after which a signal no longer waits in the intake queue.
AFGEHANDELD = (Status.AFGEROND, Status.DOORVERWEZEN)


class Bron(models.TextChoices):
    FORMULIER = "formulier", _("Formulier")
    API = "api", _("API")


class Signaal(models.Model):
    """A concern passed on by a melder about a resident or household."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referentie = models.CharField(_("referentie"), max_length=12, unique=True, editable=False)
    organisatie = models.ForeignKey(
        "toegang.Organisatie",
        on_delete=models.PROTECT,
        related_name="signalen",
        verbose_name=_("organisatie"),
    )
    melder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signalen",
        verbose_name=_("melder"),
    )
    team = models.ForeignKey(
        "toegang.Team", on_delete=models.PROTECT, related_name="signalen", verbose_name=_("team")
    )
    huishouden = models.ForeignKey(
        "casussen.Huishouden",
        on_delete=models.PROTECT,
        related_name="signalen",
        verbose_name=_("huishouden"),
    )
    casus = models.ForeignKey(
        "casussen.Casus",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signalen",
        verbose_name=_("casus"),
    )
    bron = models.CharField(_("bron"), max_length=16, choices=Bron.choices)
    toestemming = models.CharField(_("toestemming"), max_length=32, choices=Toestemming.choices)
    leefgebieden = models.JSONField(_("leefgebieden"), default=list)
    urgent = models.BooleanField(_("urgent"), default=False)
    veiligheid = models.BooleanField(_("zorg om veiligheid"), default=False)
    buurt = models.CharField(_("buurt"), max_length=100, blank=True)
    omschrijving = SealedTextField(_("omschrijving"))
    contactroute = SealedTextField(_("contactroute"), null=True, blank=True)
    #: The melder's own short label for "Mijn signalen" (no personal data asked; sealed anyway).
    onderwerp = SealedCharField(_("onderwerp"), max_length=60, null=True, blank=True)
    #: What the melder knew of the resident (JSON), kept to split a wrong link off later.
    inwoner = SealedTextField(_("inwoner"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ONTVANGEN
    )
    terugkoppeling = SealedCharField(
        _("terugkoppeling"), max_length=MAX_TERUGKOPPELING, null=True, blank=True
    )
    status_gewijzigd_op = models.DateTimeField(_("status gewijzigd op"), default=timezone.now)
    #: Ids of huishoudens that may be the same people (never merged without a consulent).
    mogelijke_match = models.JSONField(_("mogelijke match"), default=list, blank=True)
    version = models.PositiveIntegerField(_("versie"), default=1)
    created_at = models.DateTimeField(_("ontvangen op"), default=timezone.now, db_index=True)

    sealed_with = "huishouden__data_key"
    objects = SealedManager()

    #: Set by ``signaal_receive`` on an idempotent replay (not stored).
    herhaald = False

    class Meta:
        verbose_name = _("signaal")
        verbose_name_plural = _("signalen")
        # Never grant the model-level view/change permissions: access is derived (selectors).
        indexes = [
            models.Index(
                fields=["organisatie", "-created_at", "-id"], name="signaal_organisatie_nieuw"
            ),
            models.Index(
                fields=["team", "-urgent", "created_at"],
                condition=Q(casus__isnull=True) & ~Q(status__in=["afgerond", "doorverwezen"]),
                name="signaal_wachtrij",
            ),
        ]

    def __str__(self) -> str:
        return f"Signaal {self.referentie}"

    @property
    def inwoner_gegevens(self) -> dict[str, str]:
        """The stored inwoner fields as a dict ({} when anonymous or shredded)."""
        raw = self.inwoner
        if not raw or raw is VERNIETIGD:
            return {}
        return json.loads(raw)

    @property
    def terugkoppeling_voor_melder(self) -> str:
        """The consulent's message as the melder may see it ("" if none or destroyed)."""
        tekst = self.terugkoppeling
        return "" if tekst is None or tekst is VERNIETIGD else str(tekst)

    @property
    def is_anoniem(self) -> bool:
        return self.toestemming == Toestemming.ZONDER

    @property
    def in_wachtrij(self) -> bool:
        return self.casus_id is None and self.status not in AFGEHANDELD


class IdempotencyKey(models.Model):
    """``Idempotency-Key`` of one client: the first request's digest and its signal."""

    id = models.BigAutoField(primary_key=True)
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sleutel = models.CharField(max_length=255)
    request_digest = models.CharField(max_length=64)
    signaal = models.ForeignKey(
        Signaal, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotentiesleutel")
        verbose_name_plural = _("idempotentiesleutels")
        constraints = [
            models.UniqueConstraint(fields=["client", "sleutel"], name="idempotency_client_sleutel")
        ]

    def __str__(self) -> str:
        return f"IdempotencyKey {self.pk}"


def validate_rate(value: str) -> None:
    """A DRF rate such as ``60/min``."""
    try:
        SimpleRateThrottle.parse_rate(None, value)  # type: ignore[arg-type]
    except (ValueError, KeyError, IndexError):
        raise ValidationError(
            _("Gebruik een aantal per tijdseenheid, zoals 60/min, 1000/hour of 5/sec.")
        ) from None


class PartnerClient(models.Model):
    """The API account of a partner system, bound to its organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_client",
        verbose_name=_("account"),
        limit_choices_to={"is_api_client": True},
    )
    omschrijving = models.CharField(_("omschrijving"), max_length=200, blank=True)
    rate_limit = models.CharField(
        _("limiet"),
        max_length=32,
        blank=True,
        validators=[validate_rate],
        help_text=_("Bijvoorbeeld 60/min. Leeg: de standaardlimiet voor API-clients."),
    )
    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)

    class Meta:
        verbose_name = _("partnerkoppeling")
        verbose_name_plural = _("partnerkoppelingen")

    def __str__(self) -> str:
        return self.user.username

    @property
    def organisatie(self) -> Any:
        return self.user.organisatie
