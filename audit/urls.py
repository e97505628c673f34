from __future__ import annotations

from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.console, name="console"),
    path("beoordelen/", views.beoordelen, name="beoordelen"),
    path("inzageverzoek/", views.inzageverzoek, name="inzageverzoek"),
]
