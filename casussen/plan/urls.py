"""``/casussen/<casus id>/plan/…``: included by ``casussen.urls`` (namespace ``casussen:plan``).

The full paths live here, so the include in ``casussen.urls`` is one line without a
converter (and the authorisation matrix sees every converter on the pattern itself).
"""

from __future__ import annotations

from django.urls import path

from casussen.plan.views import afdruk, pages, writes

app_name = "plan"

urlpatterns = [
    path("<uuid:casus_id>/plan/", pages.plan_page, name="plan"),
    path("<uuid:casus_id>/plan/fragment/", pages.fragment, name="fragment"),
    path("<uuid:casus_id>/plan/starten/", writes.plan_starten, name="starten"),
    path("<uuid:casus_id>/plan/uitvraag/", writes.uitvraag, name="uitvraag"),
    path("<uuid:casus_id>/plan/evaluatie/", writes.evaluatie, name="evaluatie"),
    path("<uuid:casus_id>/plan/metingen/<uuid:meting_id>/", pages.meting, name="meting"),
    path("<uuid:casus_id>/plan/doelen/nieuw/", writes.doel_form, name="doel_nieuw"),
    path("<uuid:casus_id>/plan/doelen/<uuid:doel_id>/", writes.doel_form, name="doel"),
    path(
        "<uuid:casus_id>/plan/doelen/<uuid:doel_id>/acties/nieuw/",
        writes.actie_form,
        name="actie_nieuw",
    ),
    path("<uuid:casus_id>/plan/acties/<uuid:actie_id>/", writes.actie_form, name="actie"),
    path(
        "<uuid:casus_id>/plan/acties/<uuid:actie_id>/status/",
        writes.actie_status,
        name="actie_status",
    ),
    path("<uuid:casus_id>/plan/vaststellen/", writes.vaststellen, name="vaststellen"),
    path("<uuid:casus_id>/plan/versies/", pages.versies, name="versies"),
    path("<uuid:casus_id>/plan/versies/<int:nummer>/", pages.versie, name="versie"),
    path("<uuid:casus_id>/plan/afdrukken/", afdruk.afdrukken, name="afdrukken"),
    path("<uuid:casus_id>/plan/plan.pdf", afdruk.pdf, name="pdf"),
]
