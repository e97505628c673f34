"""The casus of a huishouden, who may see it and what happened on it.

Access is object-level (django-guardian) with *direct foreign-key* permission
tables: ``CasusUserObjectPermission`` rows are the only source of truth for
"may this user see/change this casus". They are written only by
``casussen.services.access`` from the grant sources kept here: the
aanspreekpunt, active ``Betrokkene`` rows and active ``Noodtoegang`` rows.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from toegang.crypto.fields import SealedCharField, SealedManager, SealedTextField


class Afsluitreden(models.TextChoices):
    DOELEN_BEREIKT = "doelen_bereikt", _("Doelen bereikt")
    VERHUISD = "verhuisd", _("Verhuisd")
    OVERLEDEN = "overleden", _("Overleden")
    GEEN_HULPVRAAG = "geen_hulpvraag", _("Geen hulpvraag (meer)")
    OVERGEDRAGEN = "overgedragen", _("Overgedragen aan andere organisatie")
    HULP_GEWEIGERD = "hulp_geweigerd", _("Hulp geweigerd door inwoner")
    ANDERS = "anders", _("Anders")


class Grondslag(models.TextChoices):
    """The law under which support was given; it decides the bewaartermijn."""

    WMO = "wmo_2015", _("Wmo 2015")
    JEUGDWET = "jeugdwet", _("Jeugdwet")
    PARTICIPATIEWET = "participatiewet", _("Participatiewet")
    WGS = "wgs", _("Wet gemeentelijke schuldhulpverlening")
    GEEN = "geen_wettelijke_taak", _("Geen wettelijke taak / preventief")


class Casus(models.Model):
    """The one casus of a huishouden: status, aanspreekpunt, urgency, leefgebieden."""

    class Status(models.TextChoices):
        AANGEMELD = "aangemeld", _("Aangemeld")
        IN_BEHANDELING = "in_behandeling", _("In behandeling")
        PLAN_VASTGESTELD = "plan_vastgesteld", _("Plan vastgesteld")
        MONITORING = "monitoring", _("Monitoring")
        AFGESLOTEN = "afgesloten", _("Afgesloten")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    huishouden = models.ForeignKey(
        "casussen.Huishouden",
        on_delete=models.PROTECT,
        related_name="casussen",
        verbose_name=_("huishouden"),
    )
    team = models.ForeignKey(
        "toegang.Team", on_delete=models.PROTECT, related_name="casussen", verbose_name=_("team")
    )
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.AANGEMELD
    )
    aanspreekpunt = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="casussen_als_aanspreekpunt",
        verbose_name=_("aanspreekpunt"),
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    leefgebieden = models.JSONField(_("leefgebieden"), default=list, blank=True)
    version = models.PositiveIntegerField(_("versie"), default=1)
    opened_at = models.DateTimeField(_("geopend"), default=timezone.now)
    closed_at = models.DateTimeField(_("gesloten"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("laatste activiteit"), default=timezone.now)
    #: Set when the casus is closed (``casus_close``); the history is ``CasusAfsluiting``.
    afsluitreden = models.CharField(
        _("reden van afsluiten"), max_length=32, choices=Afsluitreden.choices, blank=True
    )
    grondslag = models.CharField(
        _("wettelijke grondslag"), max_length=32, choices=Grondslag.choices, blank=True
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afgesloten door"),
    )
    #: A restriction of processing (AVG art. 18) is in force: frozen, and only the
    #: privacy officer reads it (``casussen.services.rechten``). Never destroyed then.
    beperkt = models.BooleanField(_("verwerking beperkt"), default=False)

    class Meta:
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        # Never grant these model-level permissions to anyone: see docs/security.md.
        default_permissions = ("add", "change", "delete", "view")
        constraints = [
            models.UniqueConstraint(
                fields=["huishouden"],
                condition=~Q(status="afgesloten"),
                name="casus_een_open_per_huishouden",
            ),
            models.CheckConstraint(
                condition=Q(aanspreekpunt__isnull=False)
                | Q(status__in=["aangemeld", "afgesloten"]),
                name="casus_aanspreekpunt_verplicht",
            ),
        ]
        indexes = [
            # Keyset pages of "Mijn casussen" (newest activity first) and the caseload.
            models.Index(fields=["last_activity_at", "id"], name="casus_activiteit_id"),
            models.Index(fields=["team", "status", "aanspreekpunt"], name="casus_team_status"),
        ]

    def __str__(self) -> str:
        return f"Casus {self.referentie}"

    @property
    def referentie(self) -> str:
        """A short, non-identifying reference to show and say on the phone."""
        return self.referentie_van(self.pk)

    @staticmethod
    def referentie_van(casus_id: Any) -> str:
        """The ``referentie`` of the casus with id ``casus_id``."""
        return str(casus_id).split("-")[0].upper()

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.AFGESLOTEN


class CasusUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian table: (user, permission, casus).

    guardian's ``unique_together = (user, permission, content_object)`` is the
    composite index the selectors use: ``WHERE user_id = %s AND permission_id = %s``
    answered by an index-only scan that yields the casus ids.
    """

    content_object = models.ForeignKey(Casus, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("casusrecht van gebruiker")
        verbose_name_plural = _("casusrechten van gebruikers")


class CasusGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian table for groups. Casus access is granted per user only."""

    content_object = models.ForeignKey(Casus, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("casusrecht van groep")
        verbose_name_plural = _("casusrechten van groepen")


class Betrokkene(models.Model):
    """Another professional with time-bound access to one casus."""

    class Einde(models.TextChoices):
        VERLOPEN = "verlopen", _("Verlopen")
        INGETROKKEN = "ingetrokken", _("Ingetrokken")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    casus = models.ForeignKey(
        Casus, on_delete=models.CASCADE, related_name="betrokkenen", verbose_name=_("casus")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="betrokken_bij",
        verbose_name=_("professional"),
    )
    reden = SealedCharField(_("reden"), max_length=300)
    eind_datum = models.DateField(_("einddatum"))
    schrijfrecht = models.BooleanField(_("mag wijzigen"), default=False)
    created_at = models.DateTimeField(_("toegevoegd"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("toegevoegd door"),
    )
    revoked_at = models.DateTimeField(_("beëindigd"), null=True, blank=True)
    einde = models.CharField(_("einde"), max_length=16, choices=Einde.choices, blank=True)

    sealed_with = "casus__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("betrokkene")
        verbose_name_plural = _("betrokkenen")
        constraints = [
            models.UniqueConstraint(
                fields=["casus", "user"],
                condition=Q(revoked_at__isnull=True),
                name="betrokkene_een_actief_per_casus",
            )
        ]
        indexes = [
            models.Index(
                fields=["eind_datum"],
                condition=Q(revoked_at__isnull=True),
                name="betrokkene_actief",
            )
        ]

    def __str__(self) -> str:
        return f"Betrokkene {self.pk}"

    @property
    def is_actief(self) -> bool:
        return self.revoked_at is None


class Noodtoegang(models.Model):
    """Break-the-glass: view access for a few hours, with a stated reason, always reviewed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    casus = models.ForeignKey(
        Casus, on_delete=models.CASCADE, related_name="noodtoegangen", verbose_name=_("casus")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="noodtoegangen",
        verbose_name=_("consulent"),
    )
    reden = SealedTextField(_("reden"))
    started_at = models.DateTimeField(_("gestart"), default=timezone.now)
    expires_at = models.DateTimeField(_("verloopt"))
    ended_at = models.DateTimeField(_("beëindigd"), null=True, blank=True)

    sealed_with = "casus__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("noodtoegang")
        verbose_name_plural = _("noodtoegangen")
        indexes = [
            models.Index(
                fields=["expires_at"], condition=Q(ended_at__isnull=True), name="noodtoegang_actief"
            ),
            models.Index(fields=["casus", "user"], name="noodtoegang_casus_user"),
        ]

    def __str__(self) -> str:
        return f"Noodtoegang {self.pk}"


class CasusAfsluiting(models.Model):
    """One step of a casus's closure history: closed, reason changed, reopened (append-only)."""

    class Soort(models.TextChoices):
        AFGESLOTEN = "afgesloten", _("Afgesloten")
        GEWIJZIGD = "gewijzigd", _("Reden of grondslag gewijzigd")
        HEROPEND = "heropend", _("Heropend")

    id = models.BigAutoField(primary_key=True)
    casus = models.ForeignKey(
        Casus, on_delete=models.CASCADE, related_name="afsluitingen", verbose_name=_("casus")
    )
    soort = models.CharField(_("soort"), max_length=16, choices=Soort.choices)
    afsluitreden = models.CharField(
        _("reden van afsluiten"), max_length=32, choices=Afsluitreden.choices, blank=True
    )
    grondslag = models.CharField(
        _("wettelijke grondslag"), max_length=32, choices=Grondslag.choices, blank=True
    )
    door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("door"),
    )
    op = models.DateTimeField(_("tijdstip"), default=timezone.now)

    class Meta:
        verbose_name = _("afsluiting")
        verbose_name_plural = _("afsluitingen")
        ordering = ["op", "id"]

    def __str__(self) -> str:
        return f"{self.get_soort_display()} ({self.op:%Y-%m-%d})"


class TimelineEntry(models.Model):
    """One line of the casus's timeline; the optional text is sealed."""

    class Soort(models.TextChoices):
        GEOPEND = "geopend", _("Casus geopend")
        AANSPREEKPUNT = "aanspreekpunt", _("Aanspreekpunt toegewezen")
        OVERDRACHT = "overdracht", _("Overdracht")
        STATUS = "status", _("Status gewijzigd")
        BETROKKENE = "betrokkene", _("Betrokkene toegevoegd")
        BETROKKENE_EINDE = "betrokkene_einde", _("Betrokkene beëindigd")
        NOODTOEGANG = "noodtoegang", _("Noodtoegang")
        SIGNAAL = "signaal", _("Signaal")
        SAMENVOEGING = "samenvoeging", _("Huishoudens samengevoegd")
        AFSLUITING = "afsluiting", _("Afsluiting")
        NOTITIE = "notitie", _("Notitie")
        OVERLEG = "overleg", _("Besproken in overleg")
        CORRECTIE = "correctie", _("Gegevens gecorrigeerd (AVG art. 16)")
        BEZWAAR = "bezwaar", _("Bezwaar van de inwoner (AVG art. 21)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    casus = models.ForeignKey(
        Casus, on_delete=models.CASCADE, related_name="tijdlijn", verbose_name=_("casus")
    )
    soort = models.CharField(_("soort"), max_length=32, choices=Soort.choices)
    tekst = SealedTextField(_("tekst"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    created_at = models.DateTimeField(_("tijdstip"), default=timezone.now)

    sealed_with = "casus__huishouden__data_key"
    objects = SealedManager()

    class Meta:
        verbose_name = _("tijdlijnregel")
        verbose_name_plural = _("tijdlijn")
        indexes = [models.Index(fields=["casus", "-created_at"], name="tijdlijn_casus_tijd")]

    def __str__(self) -> str:
        return f"{self.get_soort_display()} ({self.created_at:%Y-%m-%d})"
