from __future__ import annotations

from rest_framework import serializers

from audit.models import Actie
from toegang.api.serializers import StrictSerializer


class AuditRecordSerializer(StrictSerializer):
    """Metadata of one access; never case content."""

    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    user_id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()
    rol = serializers.CharField()
    organisatie_naam = serializers.CharField()
    actie = serializers.CharField()
    doel = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    huishouden_id = serializers.UUIDField(allow_null=True)
    noodtoegang = serializers.BooleanField()
    uitkomst = serializers.CharField()
    request_id = serializers.CharField()


class AuditPageSerializer(StrictSerializer):
    results = AuditRecordSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    next_cursor = serializers.CharField(allow_null=True)


class AuditFilterSerializer(StrictSerializer):
    """The filters of ``GET /audit`` (no personal data: ids only, in the URL)."""

    gebruiker = serializers.CharField(required=False, max_length=150)
    user_id = serializers.IntegerField(required=False, min_value=1)
    object_id = serializers.CharField(required=False, max_length=64)
    actie = serializers.ChoiceField(required=False, choices=Actie.choices)
    van = serializers.DateField(required=False)
    tot = serializers.DateField(required=False)
    huishouden_id = serializers.UUIDField(required=False)
    persoon_id = serializers.UUIDField(required=False)
    cursor = serializers.CharField(required=False, max_length=40)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("van") and attrs.get("tot") and attrs["van"] > attrs["tot"]:
            raise serializers.ValidationError({"van": "De begindatum ligt na de einddatum."})
        return attrs


class AuditSearchSerializer(AuditFilterSerializer):
    """The body of ``POST /audit/zoeken``: the same filters plus the resident."""

    bsn = serializers.RegexField(r"^\d{9}$", required=False)
    achternaam = serializers.CharField(required=False, max_length=200)
    geboortedatum = serializers.DateField(required=False)

    def validate(self, attrs: dict) -> dict:
        from audit.forms import is_valid_bsn

        attrs = super().validate(attrs)
        if attrs.get("bsn") and not is_valid_bsn(attrs["bsn"]):
            raise serializers.ValidationError({"bsn": "Dit is geen geldig BSN (elfproef)."})
        if bool(attrs.get("achternaam")) != bool(attrs.get("geboortedatum")):
            raise serializers.ValidationError(
                {"achternaam": "Geef achternaam en geboortedatum samen op."}
            )
        return attrs
