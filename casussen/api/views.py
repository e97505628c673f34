"""``/api/v1/casussen``: only what the caller may see; writes through the services."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Actie, Doel
from audit.services import record
from casussen.api import serializers as s
from casussen.api.errors import domain_errors
from casussen.models import Betrokkene, Casus
from casussen.selectors import (
    Filters,
    casus_detail_for_user,
    casus_get_for_user,
    casussen_rijen,
)
from casussen.services.afsluiting import casus_afsluiting_wijzigen, casus_heropenen
from casussen.services.betrokkenen import betrokkene_add, betrokkene_revoke, noodtoegang_start
from casussen.services.casus import casus_assign_aanspreekpunt, casus_overdragen, casus_set_status
from toegang.models import User
from toegang.roles import Rol

PROBLEM = OpenApiResponse(description="application/problem+json")
ERRORS = {400: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 412: PROBLEM}


class IsRol(permissions.BasePermission):
    """Only the roles of ``view.roles``; others get 403 (object access answers 404)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_rol(*view.roles))


class CasusApiView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsRol]
    roles: tuple[str, ...] = (Rol.CONSULENT,)


def _user(pk: int, field: str) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise exceptions.ValidationError({field: ["Onbekende gebruiker."]})
    return user


def _audit_read(request: Request, casus: Casus, *, noodtoegang: bool) -> None:
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.NOODTOEGANG if noodtoegang else Doel.CASUSBEHANDELING,
        object_type="casus",
        object_id=casus.pk,
        huishouden_id=casus.huishouden_id,
        persoon_ids=[lid.pk for lid in casus.huishouden.gezinsleden.all()],
        velden=["voornaam", "achternaam", "geboortedatum", "betrokkenen"],
        noodtoegang=noodtoegang,
        request=request,
    )


def _lijst_query(request: Request) -> Mapping[str, Any]:
    """The list's validated query parameters; without any, the defaults (validated once)."""
    if not request.query_params:
        return _standaard_lijst_query()
    query = s.CasusLijstQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


@functools.cache
def _standaard_lijst_query() -> Mapping[str, Any]:
    query = s.CasusLijstQuerySerializer(data={})
    query.is_valid(raise_exception=True)
    return MappingProxyType(dict(query.validated_data))


class CasusListView(CasusApiView):
    @extend_schema(
        summary="Mijn casussen",
        operation_id="casussen_list",
        tags=["casussen"],
        parameters=[s.CasusLijstQuerySerializer],
        responses={200: s.CasusPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        params = _lijst_query(request)
        filters = Filters(
            status=params["status"],
            leefgebied=params.get("leefgebied", ""),
            urgent=params["urgent"],
            sort=params["sort"],
        )
        try:
            page = casussen_rijen(user=request.user, filters=filters, cursor=params.get("cursor"))
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        if page.items:
            record(
                actor=request.user,
                actie=Actie.READ,
                doel=Doel.CASUSBEHANDELING,
                object_type="casus",
                object_ids=[rij.id for rij in page.items],
                huishouden_ids=[rij.huishouden_id for rij in page.items],
                velden=["achternaam"],
                request=request,
            )
        next_url = None
        if page.next_cursor:
            following = request.query_params.copy()
            following["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(
                reverse("api:casussen") + "?" + following.urlencode()
            )
        zone = timezone.get_current_timezone()
        rows = [s.CasusLijstSerializer.rij(rij, zone) for rij in page.items]
        return Response({"next": next_url, "results": rows})


class CasusDetailView(CasusApiView):
    @extend_schema(
        summary="Eén casus", tags=["casussen"], responses={200: s.CasusDetailSerializer, **ERRORS}
    )
    def get(self, request: Request, casus_id: UUID) -> Response:
        casus = casus_detail_for_user(user=request.user, casus_id=casus_id)
        _audit_read(request, casus, noodtoegang=casus.via_noodtoegang)  # type: ignore[attr-defined]
        return Response(s.CasusDetailSerializer.weergave(casus))


def _team_casus(request: Request, casus_id: UUID) -> Casus:
    """Assignment: a casus of the caller's team, else 404."""
    team_id = getattr(request.user, "team_id", None)
    casus = (
        Casus.objects.filter(pk=casus_id, team_id=team_id, beperkt=False).first()
        if team_id
        else None
    )
    if casus is None:
        raise Http404
    return casus


def _detail(request: Request, casus: Casus, code: int = status.HTTP_200_OK) -> Response:
    body = {"id": str(casus.pk), "version": casus.version, "status": casus.status}
    body.update(afsluitreden=casus.afsluitreden, grondslag=casus.grondslag)
    return Response(body, status=code)


class AanspreekpuntView(CasusApiView):
    roles = (Rol.CONSULENT, Rol.TEAMLEIDER)

    @extend_schema(
        summary="Aanspreekpunt toewijzen", tags=["casussen"],
        request=s.AanspreekpuntSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )  # fmt: skip
    @domain_errors
    def post(self, request: Request, casus_id: UUID) -> Response:
        casus = _team_casus(request, casus_id)
        body = s.AanspreekpuntSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consulent = _user(body.validated_data["aanspreekpunt"], "aanspreekpunt")
        casus = casus_assign_aanspreekpunt(casus=casus, consulent=consulent, by=request.user)  # type: ignore[arg-type]
        return _detail(request, casus)


class OverdrachtView(CasusApiView):
    roles = (Rol.CONSULENT, Rol.TEAMLEIDER)

    @extend_schema(
        summary="Casus overdragen", tags=["casussen"],
        request=s.OverdrachtSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )  # fmt: skip
    @domain_errors
    def post(self, request: Request, casus_id: UUID) -> Response:
        if request.user.rol == Rol.TEAMLEIDER:  # type: ignore[union-attr]
            casus = _team_casus(request, casus_id)
        else:
            casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
        body = s.OverdrachtSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        casus = casus_overdragen(
            casus=casus,
            naar=_user(data["naar"], "naar"),
            notitie=data["notitie"],
            blijft_betrokkene=data["blijft_betrokkene"],
            version=data["version"],
            by=request.user,  # type: ignore[arg-type]
        )
        return _detail(request, casus)


class StatusView(CasusApiView):
    @extend_schema(
        summary="Status wijzigen", tags=["casussen"],
        request=s.StatusSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )  # fmt: skip
    @domain_errors
    def post(self, request: Request, casus_id: UUID) -> Response:
        casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
        body = s.StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        casus = casus_set_status(casus=casus, by=request.user, **body.validated_data)  # type: ignore[arg-type]
        return _detail(request, casus)


class AfsluitingView(CasusApiView):
    @extend_schema(
        summary="Reden of grondslag van een afgesloten casus wijzigen", tags=["casussen"],
        request=s.AfsluitingSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )  # fmt: skip
    @domain_errors
    def post(self, request: Request, casus_id: UUID) -> Response:
        casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
        body = s.AfsluitingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        casus = casus_afsluiting_wijzigen(casus=casus, by=request.user, **body.validated_data)  # type: ignore[arg-type]
        return _detail(request, casus)


class HeropenenView(CasusApiView):
    @extend_schema(
        summary="Afgesloten casus heropenen", tags=["casussen"],
        request=s.VersieSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )  # fmt: skip
    @domain_errors
    def post(self, request: Request, casus_id: UUID) -> Response:
        casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
        body = s.VersieSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        casus = casus_heropenen(casus=casus, by=request.user, **body.validated_data)  # type: ignore[arg-type]
        return _detail(request, casus)


class BetrokkenenView(CasusApiView):
    @extend_schema(
        summary="Betrokkene toevoegen", tags=["casussen"],
        request=s.BetrokkeneInSerializer, responses={201: s.BetrokkeneSerializer, **ERRORS},
    )  # fmt: skip
    @domain_errors
    def post(self, request: Request, casus_id: UUID) -> Response:
        casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
        body = s.BetrokkeneInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["user"] = _user(data["user"], "user")
        betrokkene = betrokkene_add(casus=casus, by=request.user, **data)  # type: ignore[arg-type]
        return Response(s.BetrokkeneSerializer(betrokkene).data, status=status.HTTP_201_CREATED)


class BetrokkeneView(CasusApiView):
    @extend_schema(summary="Toegang van een betrokkene beëindigen", tags=["casussen"],
                   responses={204: None, **ERRORS})  # fmt: skip
    @domain_errors
    def delete(self, request: Request, casus_id: UUID, betrokkene_id: UUID) -> Response:
        casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
        betrokkene = Betrokkene.objects.filter(pk=betrokkene_id, casus=casus).first()
        if betrokkene is None:
            raise Http404
        betrokkene_revoke(betrokkene=betrokkene, by=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoodtoegangView(CasusApiView):
    @extend_schema(
        summary="Noodtoegang starten", tags=["casussen"],
        request=s.NoodtoegangInSerializer, responses={201: s.NoodtoegangSerializer, **ERRORS},
    )  # fmt: skip
    @domain_errors
    def post(self, request: Request, casus_id: UUID) -> Response:
        body = s.NoodtoegangInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            grant = noodtoegang_start(
                casus_id=casus_id, reden=body.validated_data["reden"], by=request.user,  # type: ignore[arg-type]
                request=request,
            )  # fmt: skip
        except Casus.DoesNotExist:
            raise Http404 from None
        return Response(s.NoodtoegangSerializer(grant).data, status=status.HTTP_201_CREATED)
