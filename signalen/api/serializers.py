"""API shapes of the signalen endpoints. Validation lives in ``signalen.validation``;
the request serializers here describe the body for the OpenAPI schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from casussen.leefgebieden import LEEFGEBIEDEN
from signalen.models import Signaal, Status, Toestemming
from signalen.validation import MAX_CONTACTROUTE, MAX_OMSCHRIJVING, MAX_ONDERWERP
from toegang.api.serializers import StrictSerializer


def _moment(value: datetime) -> str:
    """A moment as DRF's ``DateTimeField`` writes it: ISO 8601 in the current time zone."""
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class InwonerSerializer(StrictSerializer):
    voornaam = serializers.CharField(required=False, max_length=100)
    achternaam = serializers.CharField(required=False, max_length=100)
    geboortedatum = serializers.DateField(required=False, help_text="JJJJ-MM-DD")
    bsn = serializers.CharField(
        required=False,
        help_text="Alleen voor organisaties die een BSN mogen verwerken; moet de elfproef halen.",
    )
    straat = serializers.CharField(required=False, max_length=200)
    huisnummer = serializers.CharField(required=False, help_text="Bijvoorbeeld 12 of 12A.")
    postcode = serializers.CharField(required=False, help_text="Bijvoorbeeld 3881 AB.")
    woonplaats = serializers.CharField(required=False, max_length=100)
    telefoon = serializers.CharField(required=False)


class SignaalInvoerSerializer(StrictSerializer):
    toestemming = serializers.ChoiceField(
        choices=Toestemming.choices,
        help_text=(
            "met_toestemming: identificerende gegevens mogen mee. zonder_toestemming: alleen "
            "een anonieme zorg (geen inwoner-gegevens). warme_overdracht: de consulent legt "
            "contact via de melder (contactroute verplicht)."
        ),
    )
    inwoner = InwonerSerializer(required=False)
    leefgebieden = serializers.ListField(
        child=serializers.ChoiceField(choices=list(LEEFGEBIEDEN)), min_length=1
    )
    omschrijving = serializers.CharField(max_length=MAX_OMSCHRIJVING)
    urgent = serializers.BooleanField(required=False, default=False)
    veiligheid = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Zorg om geweld of mishandeling: het signaal wordt urgent. Bel bij acuut "
        "gevaar 112 en bij twijfel Veilig Thuis (0800-2000).",
    )
    buurt = serializers.CharField(required=False, max_length=100)
    contactroute = serializers.CharField(required=False, max_length=MAX_CONTACTROUTE)
    onderwerp = serializers.CharField(
        required=False,
        max_length=MAX_ONDERWERP,
        help_text=(
            "Een kort eigen label voor de melder (zonder naam of andere persoonsgegevens), "
            "zodat die zijn signalen uit elkaar houdt."
        ),
    )


class SignaalOntvangenSerializer(StrictSerializer):
    """The answer to a new signal: the same for a known and an unknown resident."""

    id = serializers.UUIDField()
    referentie = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    aangemaakt_op = serializers.DateTimeField()

    @staticmethod
    def from_signaal(signaal: Signaal) -> dict[str, Any]:
        """The answer, built directly: what this serializer's ``data`` would be for these
        values (``tests/signalen/test_api.py`` holds the two equal), without building its
        fields per signal. Only values fixed at creation, so a replayed request gets the
        very same answer."""
        return {
            "id": str(signaal.pk),
            "referentie": str(signaal.referentie),
            "status": str(Status.ONTVANGEN.value),
            "aangemaakt_op": _moment(signaal.created_at),
        }


class SignaalStatusSerializer(StrictSerializer):
    """What a melder may know of a signal: its status and the terugkoppeling."""

    id = serializers.UUIDField()
    referentie = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    terugkoppeling = serializers.CharField(allow_null=True)
    status_gewijzigd_op = serializers.DateTimeField()
    aangemaakt_op = serializers.DateTimeField()

    @staticmethod
    def from_signaal(signaal: Signaal) -> dict[str, Any]:
        tekst = signaal.terugkoppeling_voor_melder
        return SignaalStatusSerializer(
            {
                "id": signaal.pk,
                "referentie": signaal.referentie,
                "status": signaal.status,
                "terugkoppeling": tekst or None,
                "status_gewijzigd_op": signaal.status_gewijzigd_op,
                "aangemaakt_op": signaal.created_at,
            }
        ).data


class SignaalLijstSerializer(StrictSerializer):
    results = SignaalStatusSerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="De volgende pagina, of null.")


class InvalidParamSerializer(StrictSerializer):
    name = serializers.CharField()
    reason = serializers.CharField()


class ProblemSerializer(StrictSerializer):
    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    invalid_params = InvalidParamSerializer(many=True, required=False)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["invalid-params"] = fields.pop("invalid_params")
        return fields


class SignaalLijstQuerySerializer(StrictSerializer):
    """The query parameters of ``GET /signalen``."""

    cursor = serializers.CharField(
        required=False, max_length=200, help_text="Uit `next` van de vorige pagina."
    )
