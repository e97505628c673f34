"""``/casussen/<casus id>/plan/…``: included by ``casussen.urls`` (namespace ``casussen:plan``)."""

from __future__ import annotations

from django.urls import path

from casussen.plan.views import afdruk, pages, writes

app_name = "plan"

urlpatterns = [
    path("", pages.plan_page, name="plan"),
    path("fragment/", pages.fragment, name="fragment"),
    path("starten/", writes.plan_starten, name="starten"),
    path("uitvraag/", writes.uitvraag, name="uitvraag"),
    path("evaluatie/", writes.evaluatie, name="evaluatie"),
    path("metingen/<uuid:meting_id>/", pages.meting, name="meting"),
    path("doelen/nieuw/", writes.doel_form, name="doel_nieuw"),
    path("doelen/<uuid:doel_id>/", writes.doel_form, name="doel"),
    path("doelen/<uuid:doel_id>/acties/nieuw/", writes.actie_form, name="actie_nieuw"),
    path("acties/<uuid:actie_id>/", writes.actie_form, name="actie"),
    path("acties/<uuid:actie_id>/status/", writes.actie_status, name="actie_status"),
    path("vaststellen/", writes.vaststellen, name="vaststellen"),
    path("versies/", pages.versies, name="versies"),
    path("versies/<int:nummer>/", pages.versie, name="versie"),
    path("afdrukken/", afdruk.afdrukken, name="afdrukken"),
    path("plan.pdf", afdruk.pdf, name="pdf"),
]
