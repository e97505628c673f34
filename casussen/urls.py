from __future__ import annotations

from django.urls import path

from casussen import views

app_name = "casussen"

urlpatterns = [
    path("", views.mijn_casussen, name="mijn_casussen"),
    path("caseload/", views.caseload, name="caseload"),
    path("monitor/", views.monitor, name="monitor"),
]
