"""Serializers of the plan API: output shapes and input parsing (the services validate)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casussen.plan.constants import (
    SCORE_MAX,
    SCORE_MIN,
    ActieStatus,
    Dimensie,
    DoelUitkomst,
    EigenaarSoort,
    MetingSoort,
    PlanStatus,
    Trede,
)
from casussen.plan.models import Actie, Doel, Meting, Plan, PlanVersie
from toegang.api.serializers import StrictModelSerializer, StrictSerializer


@extend_schema_field(OpenApiTypes.STR)
class _Sealed(serializers.Field):
    """A sealed text as a string (``null`` once shredded or empty)."""

    def to_representation(self, value: Any) -> str | None:
        return value if isinstance(value, str) else None


class ActieSerializer(StrictModelSerializer):
    omschrijving = _Sealed()
    eigenaar_omschrijving = _Sealed()
    reden_zwaar = _Sealed()
    eigenaar_id = serializers.IntegerField(allow_null=True)
    doel_id = serializers.UUIDField()

    class Meta:
        model = Actie
        fields = [
            "id",
            "doel_id",
            "omschrijving",
            "eigenaar_soort",
            "eigenaar_id",
            "eigenaar_omschrijving",
            "deadline",
            "status",
            "trede",
            "reden_zwaar",
            "updated_at",
        ]


class DoelSerializer(StrictModelSerializer):
    tekst = _Sealed()
    dimensies = serializers.ListField(child=serializers.ChoiceField(Dimensie.choices))
    leefgebieden = serializers.ListField(child=serializers.CharField())
    gezinsleden = serializers.SerializerMethodField()
    acties = ActieSerializer(many=True)

    class Meta:
        model = Doel
        fields = [
            "id",
            "tekst",
            "dimensies",
            "leefgebieden",
            "gezinsleden",
            "uitkomst",
            "beoordeeld_op",
            "acties",
        ]

    def get_gezinsleden(self, doel: Doel) -> list[str]:
        return [str(g.pk) for g in doel.gezinsleden.all()]


class VersieKortSerializer(StrictModelSerializer):
    vastgesteld_door_id = serializers.IntegerField()

    class Meta:
        model = PlanVersie
        fields = ["nummer", "vastgesteld_op", "vastgesteld_door_id"]


class PlanSerializer(StrictModelSerializer):
    doelen = DoelSerializer(many=True)
    versies = VersieKortSerializer(many=True)
    status = serializers.ChoiceField(PlanStatus.choices)

    class Meta:
        model = Plan
        fields = ["id", "startdatum", "versie", "status", "revisie", "doelen", "versies"]


class WijzigingSerializer(StrictSerializer):
    onderdeel = serializers.CharField()
    soort = serializers.CharField()
    doel_tekst = serializers.CharField()
    actie_omschrijving = serializers.CharField()
    velden = serializers.ListField(child=serializers.CharField())


class VersieSerializer(StrictSerializer):
    nummer = serializers.IntegerField()
    vastgesteld_op = serializers.DateField()
    vastgesteld_door_id = serializers.IntegerField()
    aanwezig = serializers.ListField(child=serializers.CharField())
    inhoud = serializers.JSONField(help_text="De doelen en acties zoals vastgesteld.")
    wijzigingen = WijzigingSerializer(many=True, help_text="Wat veranderde t.o.v. de vorige.")


class PlanStartSerializer(StrictSerializer):
    startdatum = serializers.DateField()


class VaststellenSerializer(StrictSerializer):
    datum = serializers.DateField()
    aanwezig = serializers.ListField(child=serializers.CharField(max_length=200), max_length=20)
    versie = serializers.IntegerField(required=False, help_text="De versie die u vaststelt.")


class DoelInSerializer(StrictSerializer):
    tekst = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    dimensies = serializers.ListField(child=serializers.CharField(), required=False)
    leefgebieden = serializers.ListField(child=serializers.CharField(), required=False)
    gezinsleden = serializers.ListField(child=serializers.UUIDField(), required=False)
    uitkomst = serializers.ChoiceField(
        DoelUitkomst.choices,
        required=False,
        help_text="Alleen bij wijzigen: beoordeling bij evaluatie.",
    )
    beoordeeld_op = serializers.DateField(required=False)
    versie = serializers.IntegerField(
        required=False, help_text="De versie van het plan die u wijzigt."
    )


class ActieInSerializer(StrictSerializer):
    omschrijving = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    eigenaar_soort = serializers.ChoiceField(EigenaarSoort.choices, required=False)
    eigenaar_id = serializers.IntegerField(required=False, allow_null=True)
    eigenaar_omschrijving = serializers.CharField(max_length=200, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False)
    trede = serializers.ChoiceField(Trede.choices, required=False)
    reden_zwaar = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    status = serializers.ChoiceField(ActieStatus.choices, required=False)
    versie = serializers.IntegerField(
        required=False, help_text="De versie van het plan die u wijzigt."
    )


@extend_schema_field({"type": "integer", "minimum": SCORE_MIN, "maximum": SCORE_MAX})
class StrictInteger(serializers.Field):
    """An integer 0-10 as a JSON number: 6.5, "7" and true are refused."""

    default_error_messages = {
        "invalid": "Vul een heel getal van 0 tot en met 10 in.",
        "range": "Een score ligt tussen 0 en 10.",
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        if not SCORE_MIN <= data <= SCORE_MAX:
            self.fail("range")
        return data

    def to_representation(self, value: Any) -> int:
        return int(value)


class ScoresSerializer(StrictSerializer):
    lichaamsfuncties = StrictInteger()
    mentaal_welbevinden = StrictInteger()
    zingeving = StrictInteger()
    kwaliteit_van_leven = StrictInteger()
    meedoen = StrictInteger()
    dagelijks_functioneren = StrictInteger()


class MetingSerializer(StrictModelSerializer):
    scores = serializers.SerializerMethodField()
    gezinslid_id = serializers.UUIDField(allow_null=True)
    soort = serializers.ChoiceField(MetingSoort.choices)

    class Meta:
        model = Meting
        fields = ["id", "soort", "datum", "gezinslid_id", "scores", "created_at"]

    def get_scores(self, meting: Meting) -> dict[str, int]:
        return meting.scores()


class MetingInSerializer(StrictSerializer):
    soort = serializers.ChoiceField(MetingSoort.choices)
    datum = serializers.DateField()
    gezinslid_id = serializers.UUIDField(required=False, allow_null=True)
    scores = ScoresSerializer()
    toelichtingen = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000), required=False
    )
    notities = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=10_000),
        required=False,
        help_text="Per leefgebied (alleen bij de brede uitvraag).",
    )
