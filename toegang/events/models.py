"""The outbox and the webhook subscriptions with their delivery log."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """One domain event, written in the transaction of the change it describes.

    ``id`` is the monotonic sequence clients catch up from; ``event_id`` the
    globally unique id (webhooks, NATS de-duplication). The payload holds ids only.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("wachtend")
        DELIVERED = "delivered", _("afgeleverd")
        DEAD = "dead", _("onbestelbaar")

    id = models.BigAutoField(_("volgnummer"), primary_key=True)
    event_id = models.UUIDField(
        _("gebeurtenis-id"), default=uuid.uuid4, unique=True, editable=False
    )
    event_type = models.CharField(_("soort"), max_length=64)
    schema_version = models.PositiveSmallIntegerField(_("schemaversie"))
    aggregate_type = models.CharField(_("objectsoort"), max_length=32)
    aggregate_id = models.CharField(_("object-id"), max_length=64)
    aggregate_version = models.PositiveBigIntegerField(_("objectversie"))
    payload = models.JSONField(_("inhoud (alleen id's)"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), default=timezone.now)
    claimed_by = models.CharField(_("geclaimd door"), max_length=64, blank=True)
    claimed_until = models.DateTimeField(_("geclaimd tot"), null=True, blank=True)
    last_error = models.CharField(_("laatste fout"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)
    delivered_at = models.DateTimeField(_("afgeleverd"), null=True, blank=True)
    published_at = models.DateTimeField(_("gepubliceerd (NATS)"), null=True, blank=True)
    #: When the beleidsmonitor's projection applied the event (``monitor.projection``).
    projected_at = models.DateTimeField(_("verwerkt door monitor"), null=True, blank=True)

    class Meta:
        verbose_name = _("uitgaande gebeurtenis")
        verbose_name_plural = _("uitgaande gebeurtenissen")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_pending_idx",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["aggregate_type", "aggregate_id", "id"],
                name="outbox_pending_agg_idx",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["delivered_at"], name="outbox_delivered_idx"),
            models.Index(
                fields=["id"],
                name="outbox_unprojected_idx",
                condition=Q(projected_at__isnull=True),
            ),
            models.Index(
                fields=["id"],
                name="outbox_unpublished_idx",
                condition=Q(status="delivered", published_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type} {self.aggregate_type}:{self.aggregate_id}"


class WebhookAbonnement(models.Model):
    """A partner system's subscription: signed POSTs of its own organisation's events."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisatie = models.ForeignKey(
        "toegang.Organisatie",
        on_delete=models.CASCADE,
        related_name="webhook_abonnementen",
        verbose_name=_("organisatie"),
    )
    url = models.URLField(_("URL"), max_length=500)
    #: The signing secret, sealed with AES-GCM (see ``toegang.events.secrets``).
    secret_sealed = models.BinaryField(editable=False)
    event_types = models.JSONField(_("soorten gebeurtenissen"), default=list)
    active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhookabonnement")
        verbose_name_plural = _("webhookabonnementen")
        ordering = ["organisatie__naam", "url"]

    def __str__(self) -> str:
        return f"{self.organisatie} → {self.url}"


class WebhookAflevering(models.Model):
    """The delivery log, and the queue of deliveries still to try."""

    class Status(models.TextChoices):
        PENDING = "pending", _("wachtend")
        DELIVERED = "delivered", _("afgeleverd")
        FAILED = "failed", _("mislukt")

    id = models.BigAutoField(primary_key=True)
    abonnement = models.ForeignKey(
        WebhookAbonnement,
        on_delete=models.CASCADE,
        related_name="afleveringen",
        verbose_name=_("abonnement"),
    )
    event_id = models.UUIDField(_("gebeurtenis-id"))
    event_type = models.CharField(_("soort"), max_length=64)
    body = models.TextField(_("bericht (alleen id's)"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("HTTP-status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duur (ms)"), null=True, blank=True)
    last_error = models.CharField(_("laatste fout"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)
    delivered_at = models.DateTimeField(_("afgeleverd"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhookaflevering")
        verbose_name_plural = _("webhookafleveringen")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="webhook_pending_idx",
                condition=Q(status="pending"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["abonnement", "event_id"], name="webhook_aflevering_eenmalig"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.abonnement_id} ({self.status})"
