"""Serializers of the casus API: ids and what the page shows, never blind indexes."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casussen.leefgebieden import LEEFGEBIEDEN
from casussen.models import Afsluitreden, Betrokkene, Casus, Gezinslid, Grondslag
from casussen.selectors import DEFAULT_SORT, SORTS, LijstRij
from toegang.api.serializers import StrictModelSerializer, StrictSerializer
from toegang.crypto.api import SealedValueField, sealed_representation
from toegang.models import User


@extend_schema_field({"type": "string", "nullable": True})
class SealedText(SealedValueField):
    """A sealed string; null after crypto-shredding."""


@extend_schema_field({"type": "string", "format": "date", "nullable": True})
class SealedDate(SealedValueField):
    """A sealed date; null after crypto-shredding."""


class GebruikerSerializer(StrictSerializer):
    id = serializers.IntegerField()
    naam = serializers.CharField(source="weergavenaam")


class GezinslidSerializer(StrictModelSerializer):
    voornaam = SealedText()
    achternaam = SealedText()
    geboortedatum = SealedDate()
    bsn_bekend = serializers.SerializerMethodField()

    class Meta:
        model = Gezinslid
        fields = ["id", "relatie", "voornaam", "achternaam", "geboortedatum", "bsn_bekend"]

    def get_bsn_bekend(self, lid: Gezinslid) -> bool:
        return lid.bsn_index is not None


class BetrokkeneSerializer(StrictModelSerializer):
    user = GebruikerSerializer()
    reden = SealedText()
    actief = serializers.BooleanField(source="is_actief")

    class Meta:
        model = Betrokkene
        fields = ["id", "user", "reden", "eind_datum", "schrijfrecht", "actief", "einde"]


class CasusLijstSerializer(StrictModelSerializer):
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
        return _naam(casus, casus.eerste_lid)  # type: ignore[attr-defined]

    @staticmethod
    def rij(rij: LijstRij, zone: tzinfo) -> dict[str, Any]:
        """The serializer's representation of a casus, built directly from its row of
        columns (``casussen_rijen``): DRF builds and walks ten fields per row, and the
        rows of ``casussen_page`` are five model instances each; a list of 50 paid for
        both in CPU. ``tests/casussen/test_api.py`` holds it equal to
        ``CasusLijstSerializer(casus).data``. ``zone``: the current time zone, looked up
        once per page.
        """
        naam = None
        if rij.eerste_lid_id is not None and rij.shredded_at is None:  # as _naam
            naam = str(rij.eerste_achternaam())
        return {
            "id": str(rij.id),
            "referentie": Casus.referentie_van(rij.id),
            "status": rij.status,
            "urgent": rij.urgent,
            "leefgebieden": rij.leefgebieden,
            "version": rij.version,
            "opened_at": _moment(rij.opened_at, zone),
            "last_activity_at": _moment(rij.last_activity_at, zone),
            "aanspreekpunt": None
            if rij.aanspreekpunt_id is None
            else {
                "id": rij.aanspreekpunt_id,
                "naam": User.weergavenaam_van(
                    rij.aanspreekpunt_username,  # type: ignore[arg-type]
                    rij.aanspreekpunt_first_name,  # type: ignore[arg-type]
                    rij.aanspreekpunt_last_name,  # type: ignore[arg-type]
                ),
            },
            "naam": naam,
        }


def _rij(casus: Casus, eerste_lid: Gezinslid | None, zone: tzinfo) -> dict[str, Any]:
    aanspreekpunt = casus.aanspreekpunt
    return {
        "id": str(casus.pk),
        "referentie": casus.referentie,
        "status": casus.status,
        "urgent": casus.urgent,
        "leefgebieden": casus.leefgebieden,
        "version": casus.version,
        "opened_at": _moment(casus.opened_at, zone),
        "last_activity_at": _moment(casus.last_activity_at, zone),
        "aanspreekpunt": _gebruiker(aanspreekpunt),
        "naam": _naam(casus, eerste_lid),
    }


def _gebruiker(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "naam": user.weergavenaam}


def _gezinslid(lid: Gezinslid) -> dict[str, Any]:
    return {
        "id": str(lid.pk),
        "relatie": lid.relatie,
        "voornaam": sealed_representation(lid.voornaam),
        "achternaam": sealed_representation(lid.achternaam),
        "geboortedatum": sealed_representation(lid.geboortedatum),
        "bsn_bekend": lid.bsn_index is not None,
    }


def _betrokkene(betrokkene: Betrokkene) -> dict[str, Any]:
    return {
        "id": str(betrokkene.pk),
        "user": _gebruiker(betrokkene.user),
        "reden": sealed_representation(betrokkene.reden),
        "eind_datum": None if betrokkene.eind_datum is None else betrokkene.eind_datum.isoformat(),
        "schrijfrecht": betrokkene.schrijfrecht,
        "actief": betrokkene.is_actief,
        "einde": betrokkene.einde,
    }


def _naam(casus: Casus, lid: Gezinslid | None) -> str | None:
    if lid is None or casus.huishouden.is_vernietigd:
        return None
    return str(lid.achternaam)


def _moment(value: datetime | None, zone: tzinfo) -> str | None:
    """A moment as DRF's ``DateTimeField`` writes it: ISO 8601 in ``zone`` (the current)."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class HuishoudenSerializer(StrictSerializer):
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

    def get_naam(self, casus: Casus) -> str | None:
        leden = casus.huishouden.gezinsleden.all()[:1]
        return _naam(casus, leden[0] if leden else None)

    class Meta(CasusLijstSerializer.Meta):
        fields = [*CasusLijstSerializer.Meta.fields, "closed_at", "afsluitreden", "grondslag",
                  "team", "huishouden", "betrokkenen", "noodtoegang"]  # fmt: skip

    @staticmethod
    def weergave(casus: Casus) -> dict[str, Any]:
        """``CasusDetailSerializer(casus).data`` built directly (the model serializer built
        its fields anew per request: 40 % of the page's CPU). ``tests/casussen/test_api.py``
        holds the two equal."""
        zone = timezone.get_current_timezone()
        huishouden = casus.huishouden
        leden = list(huishouden.gezinsleden.all())
        return {
            **_rij(casus, leden[0] if leden else None, zone),
            "closed_at": _moment(casus.closed_at, zone),
            "afsluitreden": casus.afsluitreden,
            "grondslag": casus.grondslag,
            "team": None if casus.team_id is None else str(casus.team_id),
            "huishouden": {
                "id": str(huishouden.pk),
                "vernietigd": huishouden.is_vernietigd,
                "gezinsleden": [_gezinslid(lid) for lid in leden],
            },
            "betrokkenen": [_betrokkene(b) for b in casus.betrokkenen_lijst],  # type: ignore[attr-defined]
            "noodtoegang": bool(casus.via_noodtoegang),  # type: ignore[attr-defined]
        }


class CasusPageSerializer(StrictSerializer):
    next = serializers.CharField(allow_null=True, help_text="Cursor van de volgende pagina.")
    results = CasusLijstSerializer(many=True)


# -- writes -------------------------------------------------------------------------


class AanspreekpuntSerializer(StrictSerializer):
    aanspreekpunt = serializers.IntegerField(help_text="Id van de consulent.")


class OverdrachtSerializer(StrictSerializer):
    naar = serializers.IntegerField(help_text="Id van de nieuwe consulent.")
    notitie = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    blijft_betrokkene = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(min_value=1, help_text="Versie van de casus die u las.")


class StatusSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Casus.Status.choices)
    version = serializers.IntegerField(min_value=1)
    afsluitreden = serializers.ChoiceField(
        choices=Afsluitreden.choices, required=False, help_text="Verplicht bij afgesloten."
    )
    grondslag = serializers.ChoiceField(
        choices=Grondslag.choices, required=False, help_text="Verplicht bij afgesloten."
    )


class AfsluitingSerializer(StrictSerializer):
    afsluitreden = serializers.ChoiceField(choices=Afsluitreden.choices)
    grondslag = serializers.ChoiceField(choices=Grondslag.choices)
    version = serializers.IntegerField(min_value=1)


class VersieSerializer(StrictSerializer):
    version = serializers.IntegerField(min_value=1, help_text="Versie van de casus die u las.")


class BetrokkeneInSerializer(StrictSerializer):
    user = serializers.IntegerField(help_text="Id van de professional.")
    reden = serializers.CharField(max_length=300)
    eind_datum = serializers.DateField()
    schrijfrecht = serializers.BooleanField(required=False, default=False)


class NoodtoegangInSerializer(StrictSerializer):
    reden = serializers.CharField(max_length=1000)


class NoodtoegangSerializer(StrictSerializer):
    id = serializers.UUIDField()
    casus = serializers.UUIDField(source="casus_id")
    started_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class CasusLijstQuerySerializer(StrictSerializer):
    """The query parameters of ``GET /casussen``: anything else is a 400, never ignored."""

    cursor = serializers.CharField(required=False, max_length=200, help_text="Cursor uit 'next'.")
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default=DEFAULT_SORT)
    status = serializers.ChoiceField(
        choices=["open", "alle", *Casus.Status.values],
        required=False,
        default="open",
        help_text="open, alle of een status.",
    )
    leefgebied = serializers.ChoiceField(choices=list(LEEFGEBIEDEN), required=False)
    urgent = serializers.BooleanField(required=False, default=False)
