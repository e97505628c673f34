from __future__ import annotations

from django.urls import path

from signalen import views

app_name = "signalen"

urlpatterns = [
    path("nieuw/", views.nieuw, name="nieuw"),
    path("", views.mijn_signalen, name="mijn_signalen"),
    path("aanmeldingen/", views.aanmeldingen, name="aanmeldingen"),
]
