"""``/casussen/overleg/…``: included by ``casussen.urls`` (namespace ``casussen:overleg``)."""

from __future__ import annotations

from django.urls import path

from casussen.overleg import views

app_name = "overleg"

urlpatterns = [
    path("", views.overzicht, name="overzicht"),
    path("nieuw/", views.overleg_nieuw, name="nieuw"),
    path("afspraken/", views.mijn_afspraken, name="mijn_afspraken"),
    path("grondslagen/", views.grondslagen, name="grondslagen"),
    path("<uuid:overleg_id>/sessies/", views.sessie_nieuw, name="sessie_nieuw"),
    path("sessies/<uuid:sessie_id>/", views.sessie_page, name="sessie"),
    path("sessies/<uuid:sessie_id>/huidig/", views.huidig, name="huidig"),
    path("sessies/<uuid:sessie_id>/publiceren/", views.publiceren, name="publiceren"),
    path("sessies/<uuid:sessie_id>/huidig-punt/", views.huidig_kiezen, name="huidig_kiezen"),
    path("sessies/<uuid:sessie_id>/aanwezigheid/", views.aanwezigheid, name="aanwezigheid"),
    path("punten/<uuid:punt_id>/", views.punt_page, name="punt"),
    path("punten/<uuid:punt_id>/afspraken/", views.afspraak_nieuw, name="afspraak_nieuw"),
    path("punten/<uuid:punt_id>/verslag/", views.verslag, name="verslag"),
    path("inbrengen/<uuid:casus_id>/", views.inbrengen, name="inbrengen"),
    path("afspraken/<uuid:afspraak_id>/bevestigen/", views.bevestigen, name="bevestigen"),
    path("afspraken/<uuid:afspraak_id>/status/", views.afspraak_status, name="afspraak_status"),
]
