from __future__ import annotations

from django.urls import path

from monitor import views

app_name = "monitor"

urlpatterns = [
    path("", views.index, name="index"),
    path("kwartaalrapportage.csv", views.kwartaal_csv, name="csv"),
    path("kwartaalrapportage.pdf", views.kwartaal_pdf, name="pdf"),
]
