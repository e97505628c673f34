"""URLs of the plan API, included by ``casussen.api.urls``."""

from __future__ import annotations

from django.urls import path

from casussen.api import plan as views

urlpatterns = [
    path("casussen/<uuid:casus_id>/plan", views.PlanView.as_view(), name="plan"),
    path("casussen/<uuid:casus_id>/plan/versies", views.VersiesView.as_view(), name="plan_versies"),
    path(
        "casussen/<uuid:casus_id>/plan/versies/<int:nummer>",
        views.VersieView.as_view(),
        name="plan_versie",
    ),
    path(
        "casussen/<uuid:casus_id>/plan/vaststellen",
        views.VaststellenView.as_view(),
        name="plan_vaststellen",
    ),
    path("casussen/<uuid:casus_id>/plan/doelen", views.DoelenView.as_view(), name="plan_doelen"),
    path(
        "casussen/<uuid:casus_id>/plan/doelen/<uuid:doel_id>",
        views.DoelView.as_view(),
        name="plan_doel",
    ),
    path(
        "casussen/<uuid:casus_id>/plan/doelen/<uuid:doel_id>/acties",
        views.ActiesView.as_view(),
        name="plan_acties",
    ),
    path(
        "casussen/<uuid:casus_id>/plan/acties/<uuid:actie_id>",
        views.ActieView.as_view(),
        name="plan_actie",
    ),
    path("casussen/<uuid:casus_id>/metingen", views.MetingenView.as_view(), name="metingen"),
]
