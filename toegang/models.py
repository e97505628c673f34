"""Organisations, teams, users with one role each, and API tokens."""

from __future__ import annotations

import uuid

from django_otp.models import Device, TimestampMixin

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from toegang.crypto.models import DataKey  # noqa: F401  (part of this app, see toegang/crypto)
from toegang.roles import Rol


class Organisatie(models.Model):
    class Soort(models.TextChoices):
        GEMEENTE = "gemeente", _("Gemeente")
        INLOOPHUIS = "inloophuis", _("Inloophuis")
        HUISARTS = "huisarts", _("Huisartsenpraktijk")
        SCHOOL = "school", _("School")
        WELZIJN = "welzijn", _("Welzijnsorganisatie")
        WONINGCORPORATIE = "woningcorporatie", _("Woningcorporatie")
        OVERIG = "overig", _("Overig")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    naam = models.CharField(_("naam"), max_length=200, unique=True)
    soort = models.CharField(_("soort"), max_length=32, choices=Soort.choices)
    buurt = models.CharField(
        _("buurt"), max_length=100, blank=True, help_text=_("Buurt (CBS-buurtnaam of -code).")
    )
    mag_bsn_verwerken = models.BooleanField(
        _("mag BSN verwerken"),
        default=False,
        help_text=_("Alleen organisaties met een wettelijke grondslag, zoals huisartsen."),
    )
    mfa_verplicht = models.BooleanField(
        _("tweede factor verplicht"),
        default=False,
        help_text=_(
            "Melders van deze organisatie moeten met een tweede factor inloggen. "
            "Medewerkers van de gemeente altijd."
        ),
    )

    overleg_deelnemer = models.BooleanField(
        _("neemt deel aan het sociaal vangnet overleg"),
        default=False,
        help_text=_(
            "Melders van deze organisatie kunnen deelnemer zijn van een sociaal vangnet overleg."
        ),
    )

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["naam"]

    def __str__(self) -> str:
        return self.naam


class Team(models.Model):
    """A team of consulenten within the gemeente; it shares one intake queue."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    naam = models.CharField(_("naam"), max_length=200)
    organisatie = models.ForeignKey(
        Organisatie, on_delete=models.PROTECT, related_name="teams", verbose_name=_("organisatie")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["naam"]
        constraints = [
            models.UniqueConstraint(fields=["organisatie", "naam"], name="team_naam_uniek")
        ]

    def __str__(self) -> str:
        return self.naam


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp Device.user (untyped)
    """A person (or a partner system's API client) with exactly one role."""

    organisatie = models.ForeignKey(
        Organisatie,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gebruikers",
        verbose_name=_("organisatie"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leden",
        verbose_name=_("team"),
    )
    rol = models.CharField(_("rol"), max_length=32, choices=Rol.choices)
    telefoon = models.CharField(
        _("telefoon (werk)"),
        max_length=30,
        blank=True,
        help_text=_("Staat op de afdruk van het plan, zodat de inwoner u kan bereiken."),
    )
    is_api_client = models.BooleanField(
        _("API-client"),
        default=False,
        help_text=_("Account van een partnersysteem dat alleen via de API werkt."),
    )
    mfa_reset_melding = models.BooleanField(
        _("melding: tweede factor opnieuw ingesteld"),
        default=False,
        help_text=_(
            "Bij de volgende login krijgt de gebruiker te zien dat een beheerder dit deed."
        ),
    )
    oidc_subject = models.CharField(
        _("SSO-kenmerk"),
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Het 'sub' van de identiteitsprovider; leeg voor lokale accounts."),
    )
    sessie_generatie = models.PositiveIntegerField(
        _("sessiegeneratie"),
        default=0,
        editable=False,
        help_text=_("Verhoogd bij 'overal uitloggen': oudere sessies vervallen."),
    )

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def has_rol(self, *rollen: str) -> bool:
        return self.is_active and self.rol in rollen

    @property
    def weergavenaam(self) -> str:
        return self.weergavenaam_van(self.username, self.first_name, self.last_name)

    @staticmethod
    def weergavenaam_van(username: str, first_name: str, last_name: str) -> str:
        """The full name (as ``get_full_name``), else the user name; also for a row of
        columns without a ``User``."""
        return f"{first_name} {last_name}".strip() or username


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 digest is stored, the token is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("gebruiker")
    )
    naam = models.CharField(_("naam"), max_length=100, default="standaard")
    prefix = models.CharField(_("voorvoegsel"), max_length=12, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.naam})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PasskeyDevice(TimestampMixin, Device):
    """A WebAuthn credential (passkey or security key) as a django-otp second factor.

    Verified with py_webauthn (``toegang.identity.passkeys``), not with a typed
    token: ``verify_token`` stays False, so a code form never matches it.
    """

    credential_id = models.BinaryField(_("credential-ID"), max_length=1023, unique=True)
    public_key = models.BinaryField(_("publieke sleutel"))
    sign_count = models.PositiveBigIntegerField(_("tellerstand"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
