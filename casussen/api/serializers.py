"""Serializers of the casus API: ids and what the page shows, never blind indexes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casussen.models import Betrokkene, Casus, Gezinslid
from toegang.crypto.api import SealedValueField


@extend_schema_field({"type": "string", "nullable": True})
class SealedText(SealedValueField):
    """A sealed string; null after crypto-shredding."""


@extend_schema_field({"type": "string", "format": "date", "nullable": True})
class SealedDate(SealedValueField):
    """A sealed date; null after crypto-shredding."""


class GebruikerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    naam = serializers.CharField(source="weergavenaam")


class GezinslidSerializer(serializers.ModelSerializer):
    voornaam = SealedText()
    achternaam = SealedText()
    geboortedatum = SealedDate()
    bsn_bekend = serializers.SerializerMethodField()

    class Meta:
        model = Gezinslid
        fields = ["id", "relatie", "voornaam", "achternaam", "geboortedatum", "bsn_bekend"]

    def get_bsn_bekend(self, lid: Gezinslid) -> bool:
        return lid.bsn_index is not None


class BetrokkeneSerializer(serializers.ModelSerializer):
    user = GebruikerSerializer()
    reden = SealedText()
    actief = serializers.BooleanField(source="is_actief")

    class Meta:
        model = Betrokkene
        fields = ["id", "user", "reden", "eind_datum", "schrijfrecht", "actief", "einde"]


class CasusLijstSerializer(serializers.ModelSerializer):
    referentie = serializers.CharField()
    aanspreekpunt = GebruikerSerializer(allow_null=True)
    naam = serializers.SerializerMethodField(help_text="Achternaam van het eerste gezinslid.")

    class Meta:
        model = Casus
        fields = [
            "id", "referentie", "status", "urgent", "leefgebieden", "version",
            "opened_at", "last_activity_at", "aanspreekpunt", "naam",
        ]  # fmt: skip

    def get_naam(self, casus: Casus) -> str | None:
        leden = casus.huishouden.gezinsleden.all()[:1]
        if not leden or casus.huishouden.is_vernietigd:
            return None
        return str(leden[0].achternaam)


class HuishoudenSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    vernietigd = serializers.BooleanField(source="is_vernietigd")
    gezinsleden = serializers.SerializerMethodField()

    def get_gezinsleden(self, huishouden: Any) -> list[dict[str, Any]]:
        leden = list(huishouden.gezinsleden.all())
        return GezinslidSerializer(leden, many=True).data  # type: ignore[return-value]


class CasusDetailSerializer(CasusLijstSerializer):
    huishouden = HuishoudenSerializer()
    betrokkenen = BetrokkeneSerializer(many=True, source="betrokkenen_lijst")
    team = serializers.UUIDField(source="team_id")
    noodtoegang = serializers.BooleanField(source="via_noodtoegang")

    class Meta(CasusLijstSerializer.Meta):
        fields = [*CasusLijstSerializer.Meta.fields, "closed_at", "team", "huishouden",
                  "betrokkenen", "noodtoegang"]  # fmt: skip


class CasusPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="Cursor van de volgende pagina.")
    results = CasusLijstSerializer(many=True)


# -- writes -------------------------------------------------------------------------


class AanspreekpuntSerializer(serializers.Serializer):
    aanspreekpunt = serializers.IntegerField(help_text="Id van de consulent.")


class OverdrachtSerializer(serializers.Serializer):
    naar = serializers.IntegerField(help_text="Id van de nieuwe consulent.")
    notitie = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    blijft_betrokkene = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(min_value=1, help_text="Versie van de casus die u las.")


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Casus.Status.choices)
    version = serializers.IntegerField(min_value=1)


class BetrokkeneInSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="Id van de professional.")
    reden = serializers.CharField(max_length=300)
    eind_datum = serializers.DateField()
    schrijfrecht = serializers.BooleanField(required=False, default=False)


class NoodtoegangInSerializer(serializers.Serializer):
    reden = serializers.CharField(max_length=1000)


class NoodtoegangSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    casus = serializers.UUIDField(source="casus_id")
    started_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
