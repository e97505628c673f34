"""``GET /api/v1/audit`` and ``POST /api/v1/audit/zoeken``: the trail for the privacy officer.

Keyset pages, newest first; ``cursor`` is opaque (the last id of the previous
page). Searching by resident (BSN or surname + date of birth) is POST only, so
no personal data ends up in a URL or an access log.
"""

from __future__ import annotations

import base64
from typing import Any

from django.utils.http import urlencode
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.serializers import (
    AuditFilterSerializer,
    AuditPageSerializer,
    AuditRecordSerializer,
    AuditSearchSerializer,
)
from audit.models import Actie, Doel
from audit.selectors import Filters, keyset_page, records_matching
from audit.services import record
from audit.subjects import ResidentLookupUnavailableError, Subject, find_resident
from toegang.roles import Rol


class IsPrivacyOfficer(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_rol(Rol.PRIVACY_OFFICER))


def encode_cursor(last_id: int | None) -> str | None:
    if last_id is None:
        return None
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(value: str | None) -> int | None:
    if not value:
        return None
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind != "id" or not number.isdigit():
            raise ValueError
        return int(number)
    except ValueError as exc:
        raise serializers.ValidationError({"cursor": "Ongeldige cursor."}) from exc


def _filters(data: dict[str, Any], subject: Subject | None = None) -> Filters:
    return Filters(
        gebruiker=data.get("gebruiker", ""),
        user_id=data.get("user_id"),
        object_id=data.get("object_id", ""),
        actie=data.get("actie", ""),
        van=data.get("van"),
        tot=data.get("tot"),
        huishouden_id=str(data["huishouden_id"]) if data.get("huishouden_id") else "",
        persoon_id=str(data["persoon_id"]) if data.get("persoon_id") else "",
        subject=subject,
    )


class _AuditPage(APIView):
    permission_classes = [IsPrivacyOfficer]

    def page(
        self, request: Request, data: dict[str, Any], subject: Subject | None, next_url: str | None
    ) -> Response:
        filters = _filters(data, subject)
        page = keyset_page(
            records_matching(filters),
            cursor=decode_cursor(data.get("cursor")),
            size=data.get("page_size", 50),
        )
        record(
            actor=request.user,
            actie=Actie.READ,
            doel=Doel.AUDIT,
            object_type="auditregel",
            object_ids=[row["id"] for row in page.rows],
            persoon_ids=subject.persoon_ids if subject else (),
            request=request,
        )
        cursor = encode_cursor(page.next_cursor)
        body = {
            "results": AuditRecordSerializer(page.rows, many=True).data,
            "next_cursor": cursor,
            "next": None,
        }
        if cursor and next_url is not None:
            query = {str(k): str(v) for k, v in request.query_params.items() if k != "cursor"}
            query["cursor"] = cursor
            body["next"] = request.build_absolute_uri(f"{next_url}?{urlencode(query)}")
        return Response(body)


_FILTER_PARAMS = [
    OpenApiParameter("gebruiker", str, description="Gebruikersnaam"),
    OpenApiParameter("user_id", int, description="Id van de gebruiker"),
    OpenApiParameter("object_id", str, description="Id van de casus of een ander object"),
    OpenApiParameter("actie", str, enum=Actie.values, description="Handeling"),
    OpenApiParameter("van", str, description="Vanaf datum (JJJJ-MM-DD)"),
    OpenApiParameter("tot", str, description="Tot en met datum (JJJJ-MM-DD)"),
    OpenApiParameter("huishouden_id", str, description="Pseudoniem id van het huishouden"),
    OpenApiParameter("persoon_id", str, description="Pseudoniem id van de persoon"),
    OpenApiParameter("cursor", str, description="Cursor van de volgende pagina"),
    OpenApiParameter("page_size", int, description="Regels per pagina (max. 500)"),
]


class AuditListView(_AuditPage):
    @extend_schema(
        operation_id="audit_list",
        summary="Auditregels zoeken (privacy officer)",
        description=(
            "Auditregels, nieuwste eerst, per pagina met een cursor. Alleen voor de rol "
            "privacy_officer. Zoeken op BSN of naam kan alleen met POST /audit/zoeken."
        ),
        parameters=_FILTER_PARAMS,
        responses={200: AuditPageSerializer},
        tags=["audit"],
    )
    def get(self, request: Request) -> Response:
        params = AuditFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return self.page(request, params.validated_data, None, request.path)


class AuditSearchView(_AuditPage):
    @extend_schema(
        operation_id="audit_search",
        summary="Auditregels van een inwoner zoeken (privacy officer)",
        description=(
            "Dezelfde filters als GET /audit, in de body, plus de inwoner (BSN, of "
            "achternaam en geboortedatum). De volgende pagina: dezelfde body met next_cursor "
            "als cursor."
        ),
        request=AuditSearchSerializer,
        responses={200: AuditPageSerializer},
        tags=["audit"],
    )
    def post(self, request: Request) -> Response:
        body = AuditSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        subject = None
        if data.get("bsn") or data.get("achternaam"):
            try:
                subject = find_resident(
                    bsn=data.get("bsn"),
                    achternaam=data.get("achternaam"),
                    geboortedatum=data.get("geboortedatum"),
                )
            except ResidentLookupUnavailableError as exc:
                raise serializers.ValidationError(
                    {"bsn": "Zoeken op inwoner is nog niet beschikbaar."}
                ) from exc
        return self.page(request, data, subject, None)
