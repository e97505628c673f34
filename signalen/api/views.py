"""``/api/v1/signalen``: partner systems pass on a signal and follow its status.

Only melders (people or partner API clients) of a partner organisation; every
answer is about their own organisation's signals, and shows status and
terugkoppeling only. Errors are problem+json (``toegang.api.problems``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404
from django.urls import get_script_prefix, get_urlconf, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Actie, Doel, Uitkomst
from audit.services import record
from audit.subjects import owner_of
from signalen import selectors
from signalen.api import examples
from signalen.api.serializers import (
    ProblemSerializer,
    SignaalInvoerSerializer,
    SignaalLijstQuerySerializer,
    SignaalLijstSerializer,
    SignaalOntvangenSerializer,
    SignaalStatusSerializer,
)
from signalen.models import Bron
from signalen.services import IdempotencyConflictError, signaal_receive
from signalen.throttles import THROTTLES
from toegang.api.problems import Conflict
from toegang.roles import Rol

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


def _problem(description: str, *examples_: OpenApiExample) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description, examples=list(examples_))


def _uuid_or_blank(value: str) -> str:
    """An id for the audit trail; anything else a client typed is not recorded."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return ""


#: Stands for a signal's id in the reversed URL of ``signaal_url``.
_MARKER = "00000000-0000-4000-8000-000000000000"
_signaal_urls: dict[tuple[str, Any], str] = {}


def signaal_url(pk: Any) -> str:
    """``reverse("api:signaal", kwargs={"pk": pk})`` for a signal's id, from the URL
    reversed once per script prefix and urlconf (``reverse`` cost 0.1 ms per signal)."""
    key = (get_script_prefix(), get_urlconf())
    template = _signaal_urls.get(key)
    if template is None:
        template = _signaal_urls[key] = reverse("api:signaal", kwargs={"pk": _MARKER})
    return template.replace(_MARKER, str(uuid.UUID(str(pk))))


class IsMelder(permissions.BasePermission):
    """Melders of an organisation only; other roles get 403."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.has_rol(Rol.MELDER) and user.organisatie_id
        )


class MelderApiView(APIView):
    permission_classes = [IsMelder]
    throttle_classes = THROTTLES


class SignalenView(MelderApiView):
    @extend_schema(
        operation_id="signaal_create",
        summary="Signaal doorgeven",
        description=(
            "Geef een zorg over een inwoner door aan de Brede Toegang. Het antwoord is "
            "altijd hetzelfde, of de inwoner al bekend is of niet. Stuur een "
            "`Idempotency-Key` mee om veilig opnieuw te kunnen proberen."
        ),
        tags=["signalen"],
        request=SignaalInvoerSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=(
                    "Unieke sleutel per signaal (bijvoorbeeld een UUID), 24 uur geldig. "
                    "Dezelfde sleutel met dezelfde inhoud geeft hetzelfde antwoord; met "
                    "andere inhoud een 409."
                ),
            )
        ],
        examples=examples.REQUESTS,
        responses={
            201: OpenApiResponse(
                SignaalOntvangenSerializer, description="Ontvangen.", examples=[examples.CREATED]
            ),
            400: _problem("Ongeldige invoer, per veld.", examples.INVALID),
            401: _problem("Geen of een ongeldig token."),
            403: _problem("Geen melder."),
            409: _problem("Idempotency-Key al gebruikt voor ander verzoek.", examples.CONFLICT),
            429: _problem("Te veel verzoeken."),
        },
    )
    def post(self, request: Request) -> Response:
        try:
            signaal = signaal_receive(
                melder=request.user,
                data=request.data,  # type: ignore[arg-type]
                idempotency_key=request.headers.get(IDEMPOTENCY_HEADER),
                bron=Bron.API,
                request=request,
            )
        except IdempotencyConflictError as exc:
            raise Conflict(exc.message) from None
        headers = {"Location": signaal_url(signaal.pk)}
        if signaal.herhaald:
            headers[REPLAY_HEADER] = "true"
        return Response(
            SignaalOntvangenSerializer.from_signaal(signaal),
            status=status.HTTP_201_CREATED,
            headers=headers,
        )

    @extend_schema(
        operation_id="signaal_list",
        summary="Signalen van mijn organisatie",
        description="Status en terugkoppeling, nieuwste eerst, 25 per pagina.",
        tags=["signalen"],
        parameters=[SignaalLijstQuerySerializer],
        responses={200: SignaalLijstSerializer, 403: _problem("Geen melder.")},
    )
    def get(self, request: Request) -> Response:
        query = SignaalLijstQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = selectors.newest_first_page(
            selectors.signalen_for_melder(user=request.user),
            cursor=query.validated_data.get("cursor"),
        )
        record(
            actor=request.user,
            actie=Actie.READ,
            doel=Doel.SIGNALERING,
            object_type="signaal",
            object_ids=[s.pk for s in page.items],
            huishouden_ids=[s.huishouden_id for s in page.items],
            velden=["status", "terugkoppeling"],
            request=request,
        )
        next_url = None
        if page.next_cursor:
            next_url = request.build_absolute_uri(
                f"{reverse('api:signalen')}?cursor={page.next_cursor}"
            )
        return Response(
            {
                "results": [SignaalStatusSerializer.from_signaal(s) for s in page.items],
                "next": next_url,
            }
        )


class SignaalDetailView(MelderApiView):
    @extend_schema(
        operation_id="signaal_retrieve",
        summary="Status van één signaal",
        tags=["signalen"],
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={
            200: OpenApiResponse(SignaalStatusSerializer, examples=[examples.STATUS]),
            403: _problem("Geen melder."),
            404: _problem("Bestaat niet, of is van een andere organisatie."),
        },
    )
    def get(self, request: Request, pk: str) -> Response:
        try:
            signaal = selectors.signaal_get_for_melder(user=request.user, signaal_id=pk)
        except Http404:
            record(
                actor=request.user,
                actie=Actie.DENY,
                doel=Doel.SIGNALERING,
                object_type="signaal",
                object_id=_uuid_or_blank(pk),
                huishouden_id=owner_of(pk),
                uitkomst=Uitkomst.DENIED,
                request=request,
            )
            raise
        record(
            actor=request.user,
            actie=Actie.READ,
            doel=Doel.SIGNALERING,
            object_type="signaal",
            object_id=signaal.pk,
            huishouden_id=signaal.huishouden_id,
            velden=["status", "terugkoppeling"],
            request=request,
        )
        return Response(SignaalStatusSerializer.from_signaal(signaal))
