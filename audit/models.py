"""One ``AuditRecord`` per access to personal data, the seals over them, and reviews.

All three tables are append-only: the database refuses UPDATE and DELETE on them
(triggers installed by migration 0002, see ``audit.db``). They hold no personal
data and no foreign keys to the domain tables, so the trail outlives the data.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
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
    OVERLEG = "overleg", _("sociaal vangnet overleg")
    RECHTEN = "rechten", _("rechten van de inwoner")


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
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    rol = models.CharField(max_length=32, blank=True)
    organisatie_id = models.UUIDField(null=True, blank=True)
    organisatie_naam = models.CharField(max_length=200, blank=True)
    api_token_id = models.UUIDField(null=True, blank=True)
    #: For an action of the system (``username`` "systeem", no user): the user
    #: whose action set it off (the melder of a matched signal, the grantor of an
    #: expired access), if any.
    trigger_user_id = models.BigIntegerField(null=True, blank=True)
    trigger_username = models.CharField(max_length=150, blank=True, default="")
    # on whose data
    huishouden_id = models.UUIDField(null=True, blank=True)
    persoon_ids = models.JSONField(default=list, blank=True)
    #: Every household whose data a list or search showed (``huishouden_id``: the one).
    huishouden_ids = models.JSONField(default=list, blank=True)
    # what
    actie = models.CharField(max_length=32, choices=Actie.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
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
        # Few indexes, each one serving a console filter with keyset pages (newest
        # first): every index costs every append. Id order follows time order.
        indexes = [
            models.Index(fields=["user_id", "id"], name="audit_user_id_desc"),
            models.Index(fields=["huishouden_id", "id"], name="audit_hh_id"),
            models.Index(fields=["object_id", "id"], name="audit_object_id"),
            # The review queue: emergency access and denied attempts are rare.
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(noodtoegang=True) | models.Q(actie="noodtoegang"),
                name="audit_nood_time",
            ),
            models.Index(
                fields=["user_id", "occurred_at"],
                condition=models.Q(uitkomst="denied"),
                name="audit_denied_user_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actie} {self.object_type}"


class AuditSeal(models.Model):
    """A keyed hash (HMAC) over one batch of records, chained to the previous seal.

    A seal covers every record with ``previous.last_id < id <= last_id`` (the
    first seal starts after 0). ``first_id`` is the lowest id in that range.
    See ``audit.sealing`` for the canonical form and ``audit.verify``.
    """

    id = models.BigAutoField(primary_key=True)
    versie = models.PositiveSmallIntegerField(default=1)
    #: The audit key version of the key ring that made ``seal_hash`` (versie 2).
    sleutelversie = models.PositiveSmallIntegerField(null=True, blank=True)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField(unique=True)
    count = models.PositiveIntegerField()
    records_hash = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64, unique=True)
    seal_hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("auditzegel")
        verbose_name_plural = _("auditzegels")

    def __str__(self) -> str:
        return f"zegel {self.pk} ({self.first_id}-{self.last_id})"


class ReviewSoort(models.TextChoices):
    NOODTOEGANG = "noodtoegang", _("noodtoegang")
    WEIGERINGEN = "weigeringen", _("reeks weigeringen")
    VOLUME = "volume", _("ongebruikelijk volume")
    REEKS = "reeks", _("veel casussen kort na elkaar")
    EIGEN_NAAM = "eigen_naam", _("casus met eigen achternaam")
    KANTOORTIJD = "kantoortijd", _("buiten kantoortijd")
    DEELGRONDSLAG = "deelgrondslag", _("grondslag voor delen in overleg")


class Oordeel(models.TextChoices):
    TERECHT = "terecht", _("terecht")
    ONTERECHT = "onterecht", _("onterecht")
    NAVRAGEN = "navragen", _("navragen")


class AuditAlert(models.Model):
    """A rule-based alert of ``audit.alerts``, stored as an item of the review queue.

    Written only by the worker job ``audit_alerts`` (idempotent: one row per kind and
    key, its count brought up to date); the review queue reads these rows and never
    computes alerts itself.
    """

    id = models.BigAutoField(primary_key=True)
    soort = models.CharField(max_length=16, choices=ReviewSoort.choices)
    sleutel = models.CharField(max_length=100)
    occurred_at = models.DateTimeField(db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    aantal = models.PositiveIntegerField(default=1)
    record_id = models.BigIntegerField(null=True, blank=True)
    huishouden_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signalering")
        verbose_name_plural = _("signaleringen")
        constraints = [
            models.UniqueConstraint(fields=["soort", "sleutel"], name="audit_alert_uniek")
        ]

    def __str__(self) -> str:
        return f"{self.soort} {self.sleutel}"


class AuditReview(models.Model):
    """The privacy officer's judgement of one item of the review queue."""

    id = models.BigAutoField(primary_key=True)
    soort = models.CharField(max_length=16, choices=ReviewSoort.choices)
    sleutel = models.CharField(max_length=100)
    record_id = models.BigIntegerField(null=True, blank=True)
    #: Empty for reviews from before judgements existed.
    oordeel = models.CharField(max_length=16, choices=Oordeel.choices, blank=True, default="")
    reviewed_by_id = models.BigIntegerField()
    reviewed_by_username = models.CharField(max_length=150)
    opmerking = models.TextField()
    reviewed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("beoordeling")
        verbose_name_plural = _("beoordelingen")
        constraints = [
            models.UniqueConstraint(fields=["soort", "sleutel"], name="audit_review_uniek")
        ]

    def __str__(self) -> str:
        return f"{self.soort} {self.sleutel}"
