"""Beheer: the outbox (read-only, with replay) and the webhook subscriptions and log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from toegang.events import registry
from toegang.events.models import OutboxEvent, WebhookAbonnement, WebhookAflevering
from toegang.events.outbox import outbox_replay
from toegang.events.webhooks import (
    validate_event_types,
    validate_url,
    webhook_abonnement_create,
    webhook_abonnement_rotate_secret,
    webhook_aflevering_retry,
)
from toegang.roles import Rol


def _is_beheerder(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and (user.is_superuser or getattr(user, "rol", "") == Rol.BEHEERDER))


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_beheerder(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_beheerder(request)


@admin.register(OutboxEvent)
class OutboxEventAdmin(_ReadOnly):
    list_display = [
        "id",
        "event_type",
        "aggregate_type",
        "aggregate_id",
        "aggregate_version",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type", "aggregate_type"]
    search_fields = ["=aggregate_id", "=event_id"]
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
    actions = ["replay"]
    show_full_result_count = False

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return _is_beheerder(request)

    @admin.action(description=_("Opnieuw afleveren (replay)"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        count = outbox_replay(events=queryset, by=request.user)
        messages.success(
            request, _("%(n)d gebeurtenis(sen) opnieuw in de wachtrij.") % {"n": count}
        )


class WebhookAbonnementForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("Soorten gebeurtenissen"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookAbonnement
        fields = ["organisatie", "url", "event_types", "active"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [  # type: ignore[attr-defined]
            (t.name, t.name) for t in registry.event_types() if registry.has_webhook_filter(t.name)
        ]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        validate_url(url)
        return url

    def clean_event_types(self) -> list[str]:
        return validate_event_types(self.cleaned_data["event_types"])


@admin.register(WebhookAbonnement)
class WebhookAbonnementAdmin(admin.ModelAdmin):
    form = WebhookAbonnementForm
    list_display = ["organisatie", "url", "active", "created_at"]
    list_filter = ["active", "organisatie"]
    actions = ["rotate_secret"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_beheerder(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_beheerder(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_beheerder(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_beheerder(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_beheerder(request)

    def save_model(
        self, request: HttpRequest, obj: WebhookAbonnement, form: Any, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = webhook_abonnement_create(
            organisatie=obj.organisatie, url=obj.url, event_types=obj.event_types, by=request.user
        )
        obj.pk = issued.abonnement.pk
        messages.warning(
            request,
            _("Geheim voor ondertekening (wordt maar één keer getoond): %(secret)s")
            % {"secret": issued.secret},
        )

    @admin.action(description=_("Nieuw geheim voor ondertekening"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookAbonnement]) -> None:
        for abonnement in queryset:
            secret = webhook_abonnement_rotate_secret(abonnement=abonnement, by=request.user)
            messages.warning(
                request,
                _("Nieuw geheim voor %(url)s (eenmalig getoond): %(secret)s")
                % {"url": abonnement.url, "secret": secret},
            )


@admin.register(WebhookAflevering)
class WebhookAfleveringAdmin(_ReadOnly):
    list_display = [
        "id",
        "abonnement",
        "event_type",
        "status",
        "attempts",
        "response_status",
        "duration_ms",
        "last_error",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type"]
    readonly_fields = [f.name for f in WebhookAflevering._meta.fields]
    actions = ["retry"]
    show_full_result_count = False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return _is_beheerder(request)

    @admin.action(description=_("Opnieuw proberen"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookAflevering]) -> None:
        count = webhook_aflevering_retry(afleveringen=queryset)
        messages.success(request, _("%(n)d aflevering(en) opnieuw in de wachtrij.") % {"n": count})
