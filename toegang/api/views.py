"""Kernel API endpoints: who am I (for integrations checking their token)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from toegang.api.serializers import StrictSerializer


class MeSerializer(StrictSerializer):
    username = serializers.CharField()
    rol = serializers.CharField()
    organisatie = serializers.CharField(allow_null=True)
    is_api_client = serializers.BooleanField()


class MeView(APIView):
    """The authenticated caller: account, role and organisation."""

    @extend_schema(responses=MeSerializer, summary="Wie ben ik", tags=["account"])
    def get(self, request: Request) -> Response:
        user = request.user
        organisatie = user.organisatie  # type: ignore[union-attr]
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "rol": user.rol,  # type: ignore[union-attr]
                    "organisatie": organisatie.naam if organisatie else None,
                    "is_api_client": user.is_api_client,  # type: ignore[union-attr]
                }
            ).data
        )
