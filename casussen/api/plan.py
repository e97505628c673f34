"""``/api/v1/casussen/{id}/plan`` and ``/metingen``: the plan through the casus's permission.

No view access: 404 (like a missing id). View access without change access, or a
betrokkene changing someone else's action: 403. Editing an old, vastgestelde
version or a second plan: 409. Bad input: 400 with invalid-params. All
problem+json, and in every refused case nothing changed.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Actie as AuditActie
from casussen.api import plan_serializers as s
from casussen.models import Gezinslid
from casussen.plan import diff, services
from casussen.plan.access import audit_denied, audit_read, casus_for_read, casus_for_write
from casussen.plan.errors import PlanError
from casussen.plan.selectors import (
    actie_get,
    doel_get,
    metingen_for_casus,
    plan_for_casus,
    plan_with_content,
    versie_get,
    versies_for_plan,
)
from casussen.plan.services.versies import versie_aanwezig
from toegang.api.problems import Conflict
from toegang.roles import Rol

PROBLEM = OpenApiResponse(description="application/problem+json")
ERRORS = {400: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM}


class _IsProfessional(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_rol(Rol.CONSULENT))


class PlanApiView(APIView):
    permission_classes = [permissions.IsAuthenticated, _IsProfessional]

    def handle_exception(self, exc: Exception) -> Response:
        detail = ""
        if isinstance(exc, PlanError):
            exc = Conflict(str(exc))
        elif isinstance(exc, PermissionDenied) and exc.args:
            detail = str(exc)  # the service's Dutch reason (e.g. not the action's owner)
        response = super().handle_exception(exc)
        if detail and isinstance(response.data, dict):
            response.data["detail"] = detail
        return response

    def write_casus(self, request: Request, casus_id: UUID, object_type: str) -> Any:
        return casus_for_write(request, casus_id, object_type=object_type)

    def write_plan(self, request: Request, casus_id: UUID, object_type: str) -> tuple[Any, Any]:
        """Write access to the casus, and its plan; 404 when it has none yet."""
        casus = self.write_casus(request, casus_id, object_type)
        plan = plan_for_casus(casus=casus)
        if plan is None:
            raise Http404
        return casus, plan


def _plan_data(casus: Any) -> dict[str, Any]:
    plan = plan_with_content(casus=casus)
    if plan is None:
        raise Http404
    return s.PlanSerializer(plan).data


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PlanView(PlanApiView):
    @extend_schema(
        summary="Het plan van de casus",
        operation_id="plan_retrieve",
        tags=["plan"],
        responses={200: s.PlanSerializer, **ERRORS},
    )
    def get(self, request: Request, casus_id: UUID) -> Response:
        casus = casus_for_read(request, casus_id)
        data = _plan_data(casus)
        audit_read(
            request,
            casus=casus,
            object_type="plan",
            object_id=data["id"],
            velden=["doelen", "acties"],
        )
        return Response(data)

    @extend_schema(
        summary="Plan starten (één per huishouden)",
        operation_id="plan_create",
        tags=["plan"],
        request=s.PlanStartSerializer,
        responses={201: s.PlanSerializer, **ERRORS},
    )
    def post(self, request: Request, casus_id: UUID) -> Response:
        casus = self.write_casus(request, casus_id, "plan")
        data = _valid(s.PlanStartSerializer, request)
        services.plan_create(
            casus=casus, startdatum=data["startdatum"], by=request.user, request=request
        )
        return Response(_plan_data(casus), status=status.HTTP_201_CREATED)


class VersiesView(PlanApiView):
    @extend_schema(
        summary="Vastgestelde versies",
        operation_id="plan_versies_list",
        tags=["plan"],
        responses={200: s.VersieKortSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, casus_id: UUID) -> Response:
        casus = casus_for_read(request, casus_id)
        plan = plan_for_casus(casus=casus)
        if plan is None:
            raise Http404
        audit_read(request, casus=casus, object_type="plan", object_id=plan.pk, velden=["versies"])
        return Response(s.VersieKortSerializer(versies_for_plan(plan=plan), many=True).data)


class VersieView(PlanApiView):
    @extend_schema(
        summary="Eén vastgestelde versie met wat er veranderde",
        operation_id="plan_versie_retrieve",
        tags=["plan"],
        responses={200: s.VersieSerializer, **ERRORS},
    )
    def get(self, request: Request, casus_id: UUID, nummer: int) -> Response:
        casus = casus_for_read(request, casus_id)
        plan = plan_for_casus(casus=casus)
        if plan is None:
            raise Http404
        versie = versie_get(plan=plan, nummer=nummer)
        vorige = versies_for_plan(plan=plan).filter(nummer__lt=nummer).order_by("-nummer").first()
        inhoud = json.loads(versie.inhoud)
        wijzigingen = diff.snapshot_diff(json.loads(vorige.inhoud) if vorige else None, inhoud)
        audit_read(
            request,
            casus=casus,
            object_type="planversie",
            object_id=versie.pk,
            velden=["inhoud", "aanwezig"],
        )
        return Response(
            s.VersieSerializer(
                {
                    "nummer": versie.nummer,
                    "vastgesteld_op": versie.vastgesteld_op,
                    "vastgesteld_door_id": versie.vastgesteld_door_id,
                    "aanwezig": versie_aanwezig(versie),
                    "inhoud": inhoud,
                    "wijzigingen": [
                        {
                            "onderdeel": w.onderdeel,
                            "soort": w.soort,
                            "doel_tekst": w.doel_tekst,
                            "actie_omschrijving": w.actie_omschrijving,
                            "velden": [v.veld for v in w.velden],
                        }
                        for w in wijzigingen
                    ],
                }
            ).data
        )


class VaststellenView(PlanApiView):
    @extend_schema(
        summary="De huidige versie vaststellen met de inwoner",
        operation_id="plan_vaststellen",
        tags=["plan"],
        request=s.VaststellenSerializer,
        responses={201: s.VersieKortSerializer, **ERRORS},
    )
    def post(self, request: Request, casus_id: UUID) -> Response:
        casus, plan = self.write_plan(request, casus_id, "planversie")
        data = _valid(s.VaststellenSerializer, request)
        versie = services.plan_vaststellen(
            plan=plan,
            casus=casus,
            by=request.user,
            datum=data["datum"],
            aanwezig=data["aanwezig"],
            versie=data.get("versie"),
            request=request,
        )
        return Response(s.VersieKortSerializer(versie).data, status=status.HTTP_201_CREATED)


class DoelenView(PlanApiView):
    @extend_schema(
        summary="Doel toevoegen",
        operation_id="plan_doelen_create",
        tags=["plan"],
        request=s.DoelInSerializer,
        responses={201: s.DoelSerializer, **ERRORS},
    )
    def post(self, request: Request, casus_id: UUID) -> Response:
        casus, plan = self.write_plan(request, casus_id, "doel")
        data = _valid(s.DoelInSerializer, request)
        doel = services.doel_add(
            plan=plan,
            casus=casus,
            by=request.user,
            tekst=data.get("tekst", ""),
            dimensies=data.get("dimensies", []),
            leefgebieden=data.get("leefgebieden", []),
            gezinsleden=data.get("gezinsleden", []),
            versie=data.get("versie"),
            request=request,
        )
        return Response(
            s.DoelSerializer(doel_get(casus=casus, doel_id=doel.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class DoelView(PlanApiView):
    @extend_schema(
        summary="Doel wijzigen of beoordelen",
        operation_id="plan_doel_update",
        tags=["plan"],
        request=s.DoelInSerializer,
        responses={200: s.DoelSerializer, **ERRORS},
    )
    def patch(self, request: Request, casus_id: UUID, doel_id: UUID) -> Response:
        casus = self.write_casus(request, casus_id, "doel")
        doel = doel_get(casus=casus, doel_id=doel_id)
        data = _valid(s.DoelInSerializer, request)
        changes = {
            k: data[k] for k in ("tekst", "dimensies", "leefgebieden", "gezinsleden") if k in data
        }
        with transaction.atomic():
            if changes:
                services.doel_update(
                    doel=doel,
                    casus=casus,
                    by=request.user,
                    versie=data.get("versie"),
                    request=request,
                    **changes,
                )
            if "uitkomst" in data:
                services.doel_beoordelen(
                    doel=doel,
                    casus=casus,
                    by=request.user,
                    uitkomst=data["uitkomst"],
                    datum=data.get("beoordeeld_op") or timezone.localdate(),
                    request=request,
                )
        return Response(s.DoelSerializer(doel_get(casus=casus, doel_id=doel.pk)).data)


def _eigenaar(data: dict[str, Any]) -> Any:
    if data.get("eigenaar_id") is None:
        return None
    user = get_user_model().objects.filter(pk=data["eigenaar_id"]).first()
    if user is None:
        raise exceptions.ValidationError({"eigenaar_id": ["Onbekende medewerker."]})
    return user


class ActiesView(PlanApiView):
    @extend_schema(
        summary="Actie toevoegen aan een doel",
        operation_id="plan_acties_create",
        tags=["plan"],
        request=s.ActieInSerializer,
        responses={201: s.ActieSerializer, **ERRORS},
    )
    def post(self, request: Request, casus_id: UUID, doel_id: UUID) -> Response:
        casus = self.write_casus(request, casus_id, "actie")
        doel = doel_get(casus=casus, doel_id=doel_id)
        data = _valid(s.ActieInSerializer, request)
        actie = services.actie_add(
            doel=doel,
            casus=casus,
            by=request.user,
            omschrijving=data.get("omschrijving", ""),
            eigenaar_soort=data.get("eigenaar_soort", ""),
            deadline=data.get("deadline"),
            trede=data.get("trede", 0),
            eigenaar=_eigenaar(data),
            eigenaar_omschrijving=data.get("eigenaar_omschrijving", ""),
            reden_zwaar=data.get("reden_zwaar", ""),
            versie=data.get("versie"),
            request=request,
        )
        return Response(
            s.ActieSerializer(actie_get(casus=casus, actie_id=actie.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ActieView(PlanApiView):
    CONTENT = (
        "omschrijving",
        "eigenaar_soort",
        "eigenaar_omschrijving",
        "deadline",
        "trede",
        "reden_zwaar",
    )

    @extend_schema(
        summary="Actie wijzigen of de status bijwerken",
        operation_id="plan_actie_update",
        tags=["plan"],
        request=s.ActieInSerializer,
        responses={200: s.ActieSerializer, **ERRORS},
    )
    def patch(self, request: Request, casus_id: UUID, actie_id: UUID) -> Response:
        casus = self.write_casus(request, casus_id, "actie")
        actie = actie_get(casus=casus, actie_id=actie_id)
        data = _valid(s.ActieInSerializer, request)
        changes = {k: data[k] for k in self.CONTENT if k in data}
        if "eigenaar_id" in data:
            changes["eigenaar"] = _eigenaar(data)
        try:
            with transaction.atomic():
                if changes:
                    services.actie_update(
                        actie=actie,
                        casus=casus,
                        by=request.user,
                        versie=data.get("versie"),
                        request=request,
                        **changes,
                    )
                if "status" in data:
                    services.actie_status_set(
                        actie=actie,
                        casus=casus,
                        by=request.user,
                        status=data["status"],
                        request=request,
                    )
        except PermissionDenied:
            audit_denied(
                request,
                casus=casus,
                object_type="actie",
                object_id=actie.pk,
                reden="status van actie van een ander",
            )
            raise
        return Response(s.ActieSerializer(actie_get(casus=casus, actie_id=actie.pk)).data)


class MetingenView(PlanApiView):
    @extend_schema(
        summary="Metingen (brede uitvraag en evaluaties)",
        operation_id="metingen_list",
        tags=["metingen"],
        responses={200: s.MetingSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, casus_id: UUID) -> Response:
        casus = casus_for_read(request, casus_id)
        metingen = list(metingen_for_casus(casus=casus))
        if metingen:
            audit_read(
                request,
                casus=casus,
                object_type="meting",
                object_id="",
                velden=["scores"],
                actie=AuditActie.READ,
            )
        return Response(s.MetingSerializer(metingen, many=True).data)

    @extend_schema(
        summary="Meting vastleggen",
        operation_id="metingen_create",
        tags=["metingen"],
        request=s.MetingInSerializer,
        responses={201: s.MetingSerializer, **ERRORS},
    )
    def post(self, request: Request, casus_id: UUID) -> Response:
        casus = self.write_casus(request, casus_id, "meting")
        data = _valid(s.MetingInSerializer, request)
        gezinslid = None
        if data.get("gezinslid_id"):
            gezinslid = Gezinslid.objects.filter(
                pk=data["gezinslid_id"], huishouden_id=casus.huishouden_id
            ).first()
            if gezinslid is None:
                raise exceptions.ValidationError(
                    {"gezinslid_id": ["Kies een gezinslid van dit huishouden."]}
                )
        meting = services.meting_record(
            casus=casus,
            by=request.user,
            soort=data["soort"],
            datum=data["datum"],
            scores=dict(data["scores"]),
            toelichtingen=data.get("toelichtingen") or {},
            notities=data.get("notities") or {},
            gezinslid=gezinslid,
            request=request,
        )
        return Response(s.MetingSerializer(meting).data, status=status.HTTP_201_CREATED)
