"""One ``AuditRecord`` per access to personal data. Append-only; holds no personal data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Actie(models.TextChoices):
    CREATE = "create", _("aangemaakt")
    READ = "read", _("ingezien")
    UPDATE = "update", _("gewijzigd")
    DELETE = "delete", _("verwijderd")
    EXPORT = "export", _("geëxporteerd")
    PRINT = "print", _("afgedrukt")
    DENY = "deny", _("geweigerd")
    LOGIN = "login", _("ingelogd")
    LOGIN_FAILURE = "login_failure", _("mislukte inlog")
    LOGOUT = "logout", _("uitgelogd")
    NOODTOEGANG = "noodtoegang", _("noodtoegang")
    KEY_ROTATION = "key_rotation", _("sleutelrotatie")
    SHRED = "shred", _("vernietigd")


class Doel(models.TextChoices):
    CASUSBEHANDELING = "casusbehandeling", _("casusbehandeling")
    INTAKE = "intake", _("intake")
    SIGNALERING = "signalering", _("signalering")
    NOODTOEGANG = "noodtoegang", _("noodtoegang")
    AUDIT = "audit", _("audit")
    BEHEER = "beheer", _("beheer")
    AUTHENTICATIE = "authenticatie", _("authenticatie")
    BELEID = "beleid", _("beleidsinformatie")


class Uitkomst(models.TextChoices):
    ALLOWED = "allowed", _("toegestaan")
    DENIED = "denied", _("geweigerd")


class AuditRecord(models.Model):
    """Who did what to whose data, when, why and from where.

    Subjects are pseudonymous ids (huishouden, persoon); fields are names,
    never values. The id orders records for sealing (see ``audit.sealing``).
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    # who
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    rol = models.CharField(max_length=32, blank=True)
    organisatie_id = models.UUIDField(null=True, blank=True)
    organisatie_naam = models.CharField(max_length=200, blank=True)
    api_token_id = models.UUIDField(null=True, blank=True)
    # on whose data
    huishouden_id = models.UUIDField(null=True, blank=True, db_index=True)
    persoon_ids = models.JSONField(default=list, blank=True)
    # what
    actie = models.CharField(max_length=32, choices=Actie.choices, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_ids = models.JSONField(default=list, blank=True)
    velden = models.JSONField(default=list, blank=True)
    # why
    doel = models.CharField(max_length=32, choices=Doel.choices)
    reden = models.TextField(blank=True)
    noodtoegang = models.BooleanField(default=False)
    # from where
    request_id = models.CharField(max_length=64, blank=True)
    ip_adres = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # outcome
    uitkomst = models.CharField(max_length=16, choices=Uitkomst.choices, default=Uitkomst.ALLOWED)

    class Meta:
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditregels")
        indexes = [
            models.Index(fields=["user_id", "occurred_at"], name="audit_user_time"),
            models.Index(fields=["huishouden_id", "occurred_at"], name="audit_hh_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actie} {self.object_type}"
