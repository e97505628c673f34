from __future__ import annotations

from django.urls import include, path

from casussen.views import afsluiting, casus, lists, rechten, vernietiging

app_name = "casussen"

urlpatterns = [
    path("", lists.mijn_casussen, name="mijn_casussen"),
    path("caseload/", lists.caseload, name="caseload"),
    path("vernietiging/", vernietiging.vernietigingslijst, name="vernietiging"),
    path("vernietiging/opstellen/", vernietiging.opstellen, name="vernietiging_opstellen"),
    path(
        "vernietiging/<int:item_id>/besluit/",
        vernietiging.besluit,
        name="vernietiging_besluit",
    ),
    path("overleg/", include("casussen.overleg.urls")),
    path("rechten/", rechten.rechtenverzoeken, name="rechtenverzoeken"),
    path("rechten/<uuid:verzoek_id>/", rechten.rechtenverzoek, name="rechtenverzoek"),
    path(
        "rechten/<uuid:verzoek_id>/besluit/",
        rechten.rechtenverzoek_besluit,
        name="rechtenverzoek_besluit",
    ),
    path(
        "rechten/<uuid:verzoek_id>/verlengen/",
        rechten.rechtenverzoek_verlengen,
        name="rechtenverzoek_verlengen",
    ),
    path(
        "rechten/<uuid:verzoek_id>/opheffen/",
        rechten.rechtenverzoek_opheffen,
        name="rechtenverzoek_opheffen",
    ),
    path("bewaartermijnen/", vernietiging.bewaartermijnen_tabel, name="bewaartermijnen"),
    path("<uuid:casus_id>/", casus.casus_detail, name="casus"),
    path("<uuid:casus_id>/status/", casus.casus_status, name="status"),
    path("<uuid:casus_id>/afsluiting/", afsluiting.casus_afsluiting, name="afsluiting"),
    path("<uuid:casus_id>/heropenen/", afsluiting.casus_heropenen_view, name="heropenen"),
    path("<uuid:casus_id>/overdracht/", casus.casus_overdracht, name="overdracht"),
    path("<uuid:casus_id>/betrokkenen/", casus.betrokkene_toevoegen, name="betrokkene_toevoegen"),
    path(
        "<uuid:casus_id>/betrokkenen/<uuid:betrokkene_id>/intrekken/",
        casus.betrokkene_intrekken,
        name="betrokkene_intrekken",
    ),
    path("<uuid:casus_id>/noodtoegang/", casus.noodtoegang, name="noodtoegang"),
    path("", include("casussen.plan.urls")),
]
