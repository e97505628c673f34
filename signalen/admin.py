"""Beheer of partner API clients: create one for an organisation, rotate or revoke its
tokens, set its own rate limit. Tokens are shown once, at creation or rotation.

Signals themselves are not in the admin: their content is sealed and reading
it is casework, not beheer.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from signalen.models import PartnerClient, validate_rate
from signalen.services import (
    partner_client_create,
    partner_client_revoke,
    partner_client_rotate,
    partner_client_set_rate,
)
from signalen.services.clients import USERNAME_PATTERN
from toegang.models import Organisatie, User


class PartnerClientCreateForm(forms.ModelForm):
    username = forms.CharField(
        label=_("Accountnaam"),
        help_text=_("Bijvoorbeeld 'his-huisartsen-putten'. Kleine letters, cijfers, - en ."),
    )
    organisatie = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=Organisatie.objects.exclude(soort=Organisatie.Soort.GEMEENTE),
    )
    rate_limit = forms.CharField(
        label=_("Limiet"),
        required=False,
        validators=[validate_rate],
        help_text=_("Bijvoorbeeld 60/min. Leeg: de standaardlimiet."),
    )

    class Meta:
        model = PartnerClient
        fields = ["omschrijving"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if not USERNAME_PATTERN.match(username):
            raise forms.ValidationError(
                _("Gebruik 3 tot 61 kleine letters, cijfers, punten of streepjes.")
            )
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("Deze naam is al in gebruik."))
        return username


class PartnerClientChangeForm(forms.ModelForm):
    class Meta:
        model = PartnerClient
        fields = ["omschrijving", "rate_limit"]


@admin.register(PartnerClient)
class PartnerClientAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "organisatie_naam",
        "rate_limit",
        "actieve_tokens",
        "laatst_gebruikt",
        "created_at",
    ]
    list_select_related = ["user__organisatie"]
    search_fields = ["user__username", "user__organisatie__naam"]
    actions = ["rotate_tokens", "revoke_tokens"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = PartnerClientChangeForm if obj else PartnerClientCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["username", "organisatie", "omschrijving", "rate_limit"]
        return [
            "user",
            "organisatie_naam",
            "omschrijving",
            "rate_limit",
            "actieve_tokens",
            "laatst_gebruikt",
            "created_at",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["user", "organisatie_naam", "actieve_tokens", "laatst_gebruikt", "created_at"]

    @admin.display(description=_("organisatie"))
    def organisatie_naam(self, obj: PartnerClient) -> str:
        return obj.user.organisatie.naam if obj.user.organisatie else "—"

    @admin.display(description=_("actieve tokens"))
    def actieve_tokens(self, obj: PartnerClient) -> str:
        tokens = obj.user.api_tokens.filter(revoked_at__isnull=True)
        return ", ".join(f"{t.prefix}…" for t in tokens) or "—"

    @admin.display(description=_("laatst gebruikt"))
    def laatst_gebruikt(self, obj: PartnerClient) -> Any:
        token = obj.user.api_tokens.exclude(last_used_at=None).order_by("-last_used_at").first()
        return token.last_used_at if token else "—"

    def save_model(self, request: HttpRequest, obj: PartnerClient, form: Any, change: bool) -> None:
        if change:
            partner_client_set_rate(
                client=obj, rate_limit=form.cleaned_data.get("rate_limit", ""), by=request.user
            )
            PartnerClient.objects.filter(pk=obj.pk).update(omschrijving=obj.omschrijving)
            return
        try:
            client, issued = partner_client_create(
                username=form.cleaned_data["username"],
                organisatie=form.cleaned_data["organisatie"],
                omschrijving=form.cleaned_data.get("omschrijving", ""),
                rate_limit=form.cleaned_data.get("rate_limit", ""),
                by=request.user,
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        obj.pk = client.pk
        obj.user = client.user
        messages.warning(
            request,
            _("Token voor %(client)s (eenmalig getoond, geef het veilig door): %(token)s")
            % {"client": client.user.username, "token": issued.plaintext},
        )

    @admin.action(description=_("Tokens vernieuwen (oude intrekken, nieuw token tonen)"))
    def rotate_tokens(self, request: HttpRequest, queryset: QuerySet[PartnerClient]) -> None:
        for client in queryset.select_related("user"):
            issued = partner_client_rotate(client=client, by=request.user)
            messages.warning(
                request,
                _("Nieuw token voor %(client)s (eenmalig getoond): %(token)s")
                % {"client": client.user.username, "token": issued.plaintext},
            )

    @admin.action(description=_("Alle tokens intrekken"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[PartnerClient]) -> None:
        total = sum(partner_client_revoke(client=c, by=request.user) for c in queryset)
        messages.success(request, _("%(count)s token(s) ingetrokken.") % {"count": total})
