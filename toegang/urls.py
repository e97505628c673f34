from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from monitor import views as monitor_views
from toegang import views
from toegang.identity import account, oidc
from toegang.identity import views as identity

admin.site.site_header = "Brede Toegang — beheer"
admin.site.site_title = "Brede Toegang"
admin.site.index_title = "Beheer"

urlpatterns = [
    # First the prefixes of the most frequent requests: Django tries the patterns in order.
    path("api/v1/", include(("toegang.api.urls", "api"), namespace="api")),
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("inloggen/", identity.LoginView.as_view(), name="login"),
    path("inloggen/code/", identity.login_code, name="login_code"),
    path("inloggen/instellen/", identity.login_instellen, name="login_instellen"),
    path("account/", account.account, name="account"),
    path("account/herstelcodes/", identity.herstelcodes, name="herstelcodes"),
    path("account/passkeys/", account.passkey_toevoegen, name="passkey_toevoegen"),
    path(
        "account/passkeys/<int:pk>/verwijderen/",
        account.passkey_verwijderen,
        name="passkey_verwijderen",
    ),
    path("account/herstelcodes/nieuw/", account.herstelcodes_nieuw, name="herstelcodes_nieuw"),
    path("account/overal-uitloggen/", account.overal_uitloggen, name="overal_uitloggen"),
    path("uitloggen/", identity.LogoutView.as_view(), name="logout"),
    path("inloggen/sso/", oidc.AuthenticationRequestView.as_view(), name="sso_login"),
    path("inloggen/sso/terug/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("inloggen/sso/geweigerd/", oidc.sso_geweigerd, name="sso_geweigerd"),
    path("beheer/login/", identity.admin_login, name="beheer_login"),
    path("beheer/", admin.site.urls),
    path("casussen/monitor/", monitor_views.oud_adres, name="monitor_oud_adres"),
    path("casussen/", include("casussen.urls")),
    path("signalen/", include("signalen.urls")),
    path("audit/", include("audit.urls")),
    path("monitor/", include("monitor.urls")),
]

handler400 = "toegang.views.error_400"
handler403 = "toegang.views.error_403"
handler404 = "toegang.views.error_404"
handler500 = "toegang.views.error_500"
