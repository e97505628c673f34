from __future__ import annotations

from django.urls import path

from signalen.views import aanmeldingen, casus, melder

app_name = "signalen"

urlpatterns = [
    path("", melder.mijn_signalen, name="mijn_signalen"),
    path("nieuw/", melder.nieuw, name="nieuw"),
    path("ontvangen/<uuid:pk>/", melder.ontvangen, name="ontvangen"),
    path("aanmeldingen/", aanmeldingen.lijst, name="aanmeldingen"),
    path("aanmeldingen/<uuid:pk>/", aanmeldingen.detail, name="aanmelding"),
    path("aanmeldingen/<uuid:pk>/toewijzen/", aanmeldingen.toewijzen, name="toewijzen"),
    path("aanmeldingen/<uuid:pk>/match/", aanmeldingen.match, name="match"),
    path("aanmeldingen/<uuid:pk>/afhandelen/", aanmeldingen.afhandelen, name="afhandelen"),
    path("casus/<uuid:casus_id>/", casus.casus_signalen, name="casus_signalen"),
    path("casus/<uuid:casus_id>/koppelen/", casus.koppelen, name="koppelen"),
    path(
        "casus/<uuid:casus_id>/signaal/<uuid:pk>/terugkoppeling/",
        casus.terugkoppeling,
        name="terugkoppeling",
    ),
    path(
        "casus/<uuid:casus_id>/signaal/<uuid:pk>/ontkoppelen/",
        casus.ontkoppelen,
        name="ontkoppelen",
    ),
]
