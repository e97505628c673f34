"""``/api/v1/overleg/…``: the agenda and the afspraken for partner systems.

Same access rules as the pages (``casussen.overleg.selectors``): a session outside
the caller's window is a 404 like a missing one (audited); every read is audited
with purpose ``overleg``; errors are problem+json.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Actie as AuditActie
from audit.models import Doel
from audit.services import record
from casussen.overleg import selectors as sel
from casussen.overleg import services
from casussen.plan.constants import ActieStatus
from toegang.roles import Rol

PROBLEM = OpenApiResponse(description="application/problem+json")


class SamenvattingSerializer(serializers.Serializer):
    hulpvraag = serializers.CharField()
    geprobeerd = serializers.CharField()
    vraag = serializers.CharField()
    leefgebieden = serializers.ListField(child=serializers.CharField())


class AgendapuntSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    volgnummer = serializers.IntegerField()
    casus_referentie = serializers.CharField()
    gedeeld = serializers.BooleanField(help_text="False: besproken zonder uw organisatie.")
    samenvatting = SamenvattingSerializer(allow_null=True)


class AgendaSerializer(serializers.Serializer):
    sessie_id = serializers.UUIDField()
    overleg = serializers.CharField()
    begint_op = serializers.DateTimeField()
    eindigt_op = serializers.DateTimeField()
    gepubliceerd_op = serializers.DateTimeField(allow_null=True)
    toegang_tot = serializers.DateTimeField()
    huidig_agendapunt_id = serializers.UUIDField(allow_null=True)
    agenda = AgendapuntSerializer(many=True)


class AfspraakSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    agendapunt_id = serializers.UUIDField()
    casus_referentie = serializers.CharField()
    omschrijving = serializers.CharField()
    datum = serializers.DateField()
    trede = serializers.IntegerField()
    actie_id = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=ActieStatus.choices, allow_null=True)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActieStatus.choices)


class IsRol(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_rol(*view.roles))


class OverlegApiView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsRol]
    roles: tuple[str, ...] = (Rol.CONSULENT, Rol.TEAMLEIDER, Rol.MELDER)


def _afspraak_data(afspraak: Any) -> dict[str, Any]:
    return {
        "id": afspraak.pk,
        "agendapunt_id": afspraak.agendapunt_id,
        "casus_referentie": afspraak.agendapunt.casus.referentie,
        "omschrijving": afspraak.omschrijving,
        "datum": afspraak.datum,
        "trede": afspraak.trede,
        "actie_id": afspraak.actie_id,
        "status": afspraak.actie.status if afspraak.actie else None,
    }


class AgendaView(OverlegApiView):
    @extend_schema(
        summary="Agenda van een overlegsessie",
        tags=["overleg"],
        responses={200: AgendaSerializer, 403: PROBLEM, 404: PROBLEM},
    )
    def get(self, request: Request, sessie_id: UUID) -> Response:
        try:
            sessie = sel.sessie_get_for_user(user=request.user, sessie_id=sessie_id)
        except Http404:
            services.audit_refusal(
                by=request.user,
                object_type="overlegsessie",
                object_id=sessie_id,
                reden="geen toegang (meer) tot dit overleg",
                request=request,
            )
            raise
        agenda = sel.agenda_for_user(user=request.user, sessie=sessie)
        shown = [p for p, ok in agenda if ok]
        if shown:
            record(
                actor=request.user,
                actie=AuditActie.READ,
                doel=Doel.OVERLEG,
                object_type="overlegsessie",
                object_id=sessie.pk,
                object_ids=[p.pk for p in shown],
                huishouden_ids=[p.casus.huishouden_id for p in shown],
                velden=["hulpvraag", "geprobeerd", "vraag", "leefgebieden"],
                request=request,
            )
        data = {
            "sessie_id": sessie.pk,
            "overleg": sessie.overleg.naam,
            "begint_op": sessie.begint_op,
            "eindigt_op": sessie.eindigt_op,
            "gepubliceerd_op": sessie.gepubliceerd_op,
            "toegang_tot": sel.toegang_tot(sessie),
            "huidig_agendapunt_id": sessie.huidig_punt_id
            if sel.window_open(sessie) and any(p.pk == sessie.huidig_punt_id for p, _ in agenda)
            else None,
            "agenda": [
                {
                    "id": p.pk,
                    "volgnummer": p.volgnummer,
                    "casus_referentie": p.casus.referentie,
                    "gedeeld": ok,
                    "samenvatting": {
                        "hulpvraag": p.hulpvraag,
                        "geprobeerd": p.geprobeerd,
                        "vraag": p.vraag,
                        "leefgebieden": p.leefgebied_codes(),
                    }
                    if ok
                    else None,
                }
                for p, ok in agenda
            ],
        }
        return Response(AgendaSerializer(data).data)


class AfsprakenView(OverlegApiView):
    roles = (Rol.MELDER,)

    @extend_schema(
        summary="Afspraken voor de eigen organisatie",
        tags=["overleg"],
        responses={200: AfspraakSerializer(many=True), 403: PROBLEM},
    )
    def get(self, request: Request) -> Response:
        afspraken = sel.afspraken_read(user=request.user, request=request)
        return Response(AfspraakSerializer([_afspraak_data(a) for a in afspraken], many=True).data)


class AfspraakView(OverlegApiView):
    roles = (Rol.MELDER,)

    @extend_schema(
        summary="Status van de actie bij een afspraak bijwerken (eigen organisatie)",
        tags=["overleg"],
        request=StatusSerializer,
        responses={200: AfspraakSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
    )
    def patch(self, request: Request, afspraak_id: UUID) -> Response:
        try:
            afspraak = sel.afspraak_for_owner(user=request.user, afspraak_id=afspraak_id)
        except Http404:
            services.audit_refusal(
                by=request.user,
                object_type="afspraak",
                object_id=afspraak_id,
                reden="afspraak van een andere organisatie",
                request=request,
            )
            raise
        body = StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.afspraak_status_set(
                afspraak=afspraak, status=body.validated_data["status"], by=request.user,
                request=request,
            )  # fmt: skip
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        except PermissionDenied:
            raise exceptions.NotFound() from None
        afspraak.refresh_from_db()
        return Response(AfspraakSerializer(_afspraak_data(afspraak)).data)


urlpatterns = [
    path("overleg/sessies/<uuid:sessie_id>/agenda", AgendaView.as_view(), name="overleg_agenda"),
    path("overleg/afspraken", AfsprakenView.as_view(), name="overleg_afspraken"),
    path("overleg/afspraken/<uuid:afspraak_id>", AfspraakView.as_view(), name="overleg_afspraak"),
]
