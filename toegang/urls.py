from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from toegang import login, views

admin.site.site_header = "Brede Toegang — beheer"
admin.site.site_title = "Brede Toegang"
admin.site.index_title = "Beheer"

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", login.LoginView.as_view(), name="login"),
    path("uitloggen/", login.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("beheer/", admin.site.urls),
    path("api/v1/", include(("toegang.api.urls", "api"), namespace="api")),
    path("casussen/", include("casussen.urls")),
    path("signalen/", include("signalen.urls")),
    path("audit/", include("audit.urls")),
]

handler400 = "toegang.views.error_400"
handler403 = "toegang.views.error_403"
handler404 = "toegang.views.error_404"
handler500 = "toegang.views.error_500"
