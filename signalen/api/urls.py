from __future__ import annotations

from django.urls import path

from signalen.api.views import SignaalDetailView, SignalenView

urlpatterns = [
    path("signalen", SignalenView.as_view(), name="signalen"),
    path("signalen/<str:pk>", SignaalDetailView.as_view(), name="signaal"),
]
