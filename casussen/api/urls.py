from __future__ import annotations

from django.urls import include, path

from casussen.api import views

urlpatterns = [
    path("casussen", views.CasusListView.as_view(), name="casussen"),
    path("casussen/<uuid:casus_id>", views.CasusDetailView.as_view(), name="casus"),
    path(
        "casussen/<uuid:casus_id>/aanspreekpunt",
        views.AanspreekpuntView.as_view(),
        name="casus_aanspreekpunt",
    ),
    path(
        "casussen/<uuid:casus_id>/overdracht",
        views.OverdrachtView.as_view(),
        name="casus_overdracht",
    ),
    path("casussen/<uuid:casus_id>/status", views.StatusView.as_view(), name="casus_status"),
    path(
        "casussen/<uuid:casus_id>/afsluiting",
        views.AfsluitingView.as_view(),
        name="casus_afsluiting",
    ),
    path(
        "casussen/<uuid:casus_id>/heropenen",
        views.HeropenenView.as_view(),
        name="casus_heropenen",
    ),
    path(
        "casussen/<uuid:casus_id>/betrokkenen",
        views.BetrokkenenView.as_view(),
        name="casus_betrokkenen",
    ),
    path(
        "casussen/<uuid:casus_id>/betrokkenen/<uuid:betrokkene_id>",
        views.BetrokkeneView.as_view(),
        name="casus_betrokkene",
    ),
    path(
        "casussen/<uuid:casus_id>/noodtoegang",
        views.NoodtoegangView.as_view(),
        name="casus_noodtoegang",
    ),
    path("", include("casussen.api.plan_urls")),
]
