from __future__ import annotations

from django.urls import path

from monitor.api import views

urlpatterns = [
    path("monitor/kwartalen", views.KwartaalQueryView.as_view(), name="monitor_kwartaal_query"),
    path("monitor/kwartalen/<str:kwartaal>", views.KwartaalView.as_view(), name="monitor_kwartaal"),
]
