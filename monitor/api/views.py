"""``/api/v1/monitor``: the published figures of a quarter for the gemeente's BI tools.

Beleidsadviseur only; exactly the cells of the page, CSV and PDF (suppressed: null).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from monitor.figures import Cijfers, Kwartaal, kwartaal_cijfers
from toegang.roles import Rol

PROBLEM = OpenApiResponse(description="application/problem+json")


class IsBeleidsadviseur(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_rol(Rol.BELEIDSADVISEUR))


_RIJ = inline_serializer(
    "MonitorRij",
    {
        "code": serializers.CharField(),
        "label": serializers.CharField(),
        "waarde": serializers.IntegerField(allow_null=True, help_text="null: onderdrukt"),
        "niveau": serializers.CharField(help_text="buurt, wijk, totaal of leeg"),
        "wijk": serializers.CharField(),
    },
)
_KWARTAAL = inline_serializer(
    "MonitorKwartaal",
    {
        "kwartaal": serializers.CharField(),
        "drempel": serializers.IntegerField(),
        "mediaan_dagen_signaal_aanspreekpunt": serializers.FloatField(allow_null=True),
        "mediaan_dagen_signaal_eerste_gesprek": serializers.FloatField(allow_null=True),
        "gezondheid_gemiddelde_verandering": serializers.DictField(
            child=serializers.FloatField(allow_null=True)
        ),
        "tabellen": inline_serializer(
            "MonitorTabel",
            {"naam": serializers.CharField(), "titel": serializers.CharField(), "rijen": _RIJ},
            many=True,
        ),
    },
)


def as_json(cijfers: Cijfers) -> dict[str, Any]:
    return {
        "kwartaal": str(cijfers.kwartaal),
        "drempel": cijfers.drempel,
        "mediaan_dagen_signaal_aanspreekpunt": cijfers.mediaan_aanspreekpunt,
        "mediaan_dagen_signaal_eerste_gesprek": cijfers.mediaan_gesprek,
        "gezondheid_gemiddelde_verandering": cijfers.gezondheid,
        "tabellen": [
            {
                "naam": naam,
                "titel": tabel.titel,
                "rijen": [
                    {
                        "code": r.code,
                        "label": r.label,
                        "waarde": r.waarde,
                        "niveau": r.niveau,
                        "wijk": r.wijk,
                    }
                    for r in tabel.rijen
                ],
            }
            for naam, tabel in cijfers.tabellen.items()
        ],
    }


class KwartaalView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsBeleidsadviseur]

    @extend_schema(
        summary="Cijfers van de beleidsmonitor voor een kwartaal",
        description=(
            "Alle gepubliceerde cijfers van het kwartaal (bijvoorbeeld 2026-K3) per buurt, wijk, "
            "leefgebied, soort partner, trede en dimensie. Onderdrukte aantallen zijn null: "
            "onder de drempel of af te leiden uit andere cijfers."
        ),
        operation_id="monitor_kwartaal",
        tags=["monitor"],
        responses={200: _KWARTAAL, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
    )
    def get(self, request: Request, kwartaal: str) -> Response:
        return Response(as_json(kwartaal_cijfers(_kwartaal(kwartaal))))


class KwartaalQueryView(KwartaalView):
    """The same with the quarter as query parameter (``?kwartaal=2026-K3``; default: now)."""

    @extend_schema(
        summary="Cijfers van de beleidsmonitor voor een kwartaal (als queryparameter)",
        description=(
            "Als /monitor/kwartalen/{kwartaal}, met het kwartaal als ?kwartaal=2026-K3; "
            "zonder kwartaal het huidige. Een ongeldig kwartaal geeft 400."
        ),
        operation_id="monitor_kwartaal_query",
        tags=["monitor"],
        parameters=[
            OpenApiParameter(
                "kwartaal",
                str,
                OpenApiParameter.QUERY,
                required=False,
                description="Bijvoorbeeld 2026-K3; leeg: het huidige kwartaal.",
            )
        ],
        responses={200: _KWARTAAL, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
    )
    def get(self, request: Request, kwartaal: str = "") -> Response:
        tekst = request.query_params.get("kwartaal", "")
        q = _kwartaal(tekst) if tekst else Kwartaal.van(timezone.localdate())
        return Response(as_json(kwartaal_cijfers(q)))


def _kwartaal(tekst: str) -> Kwartaal:
    try:
        return Kwartaal.parse(tekst)
    except ValueError:
        raise exceptions.ValidationError(
            {"kwartaal": [_("Geef een kwartaal als jaar-K1 tot jaar-K4, zoals 2026-K3.")]}
        ) from None
