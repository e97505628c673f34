"""Beheer: wijken, buurten and their postcode areas (reference data, no one's data)."""

from __future__ import annotations

from django.contrib import admin

from monitor.models import Buurt, PostcodeGebied, Wijk


class PostcodeGebiedInline(admin.TabularInline):
    model = PostcodeGebied
    extra = 1


@admin.register(Wijk)
class WijkAdmin(admin.ModelAdmin):
    list_display = ["code", "naam"]
    search_fields = ["code", "naam"]


@admin.register(Buurt)
class BuurtAdmin(admin.ModelAdmin):
    list_display = ["code", "naam", "wijk"]
    list_filter = ["wijk"]
    search_fields = ["code", "naam"]
    inlines = [PostcodeGebiedInline]


@admin.register(PostcodeGebied)
class PostcodeGebiedAdmin(admin.ModelAdmin):
    list_display = ["postcode", "huisnummer_van", "huisnummer_tot", "buurt"]
    search_fields = ["postcode", "buurt__naam", "buurt__code"]
