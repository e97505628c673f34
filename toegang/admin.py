"""Beheer: organisations, teams, users and API tokens. Key material never appears here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from toegang.identity.mfa import mfa_reset
from toegang.models import ApiToken, Organisatie, Team, User
from toegang.services import api_token_create, api_token_revoke, api_token_rotate, user_set_rol

#: The platform's own user fields in the admin (telefoon: on the resident's plan printout).
BREDE_TOEGANG_VELDEN = ("rol", "organisatie", "team", "telefoon", "is_api_client")


@admin.register(Organisatie)
class OrganisatieAdmin(admin.ModelAdmin):
    list_display = [
        "naam", "soort", "buurt", "mag_bsn_verwerken", "mfa_verplicht", "overleg_deelnemer",
    ]  # fmt: skip
    list_filter = ["soort", "mag_bsn_verwerken", "mfa_verplicht", "overleg_deelnemer"]
    search_fields = ["naam"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["naam", "organisatie"]
    search_fields = ["naam"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "rol",
        "organisatie",
        "team",
        "is_active",
    ]
    list_filter = ["rol", "organisatie", "team", "is_active", "is_api_client"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Brede Toegang"),
            {"fields": ("rol", "organisatie", "team", "telefoon", "is_api_client")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (
            _("Brede Toegang"),
            {"fields": ("rol", "organisatie", "team", "telefoon", "is_api_client")},
        ),
    )

    actions = ["reset_second_factor"]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        user_set_rol(user=obj, rol=obj.rol)

    @admin.action(description=_("Tweede factor opnieuw instellen (gebruiker stelt opnieuw in)"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            mfa_reset(user=user, by=request.user, request=request)
        messages.success(
            request,
            _(
                "Tweede factor verwijderd en sessies beëindigd. Bij de volgende login stelt "
                "de gebruiker een nieuwe in en ziet een melding dat u dit deed."
            ),
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "naam", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "naam", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["rotate", "revoke"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = api_token_create(user=obj.user, naam=obj.naam, by=request.user)  # type: ignore[arg-type]
        obj.pk = issued.token.pk
        messages.warning(
            request,
            _("Nieuw token (wordt maar één keer getoond, bewaar het veilig): %(token)s")
            % {"token": issued.plaintext},
        )

    @admin.action(description=_("Geselecteerde tokens vernieuwen (oude intrekken)"))
    def rotate(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            issued = api_token_rotate(token=token, by=request.user)  # type: ignore[arg-type]
            messages.warning(
                request,
                _("Nieuw token voor %(user)s (eenmalig getoond): %(token)s")
                % {"user": token.user, "token": issued.plaintext},
            )

    @admin.action(description=_("Geselecteerde tokens intrekken"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Tokens ingetrokken."))
