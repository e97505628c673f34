"""The plan pages through the Django test client: the consultant's whole flow."""

from __future__ import annotations

import pytest

from django.urls import reverse
from django.utils import timezone

from audit.models import Actie as AuditActie
from audit.models import AuditRecord
from casussen.plan import services
from casussen.plan.constants import DIMENSIES, PlanStatus
from casussen.plan.models import Actie, Doel, Meting, Plan, PlanVersie, UitvraagNotitie
from tests.casussen.plan.conftest import scores

pytestmark = pytest.mark.django_db


def url(name: str, casus, *args) -> str:
    return reverse(f"casussen:plan:{name}", args=[casus.pk, *args])


def _meting_post(**overrides) -> dict:
    data = {"datum": timezone.localdate().isoformat(), "gezinslid": ""}
    data.update({code: str(value) for code, value in scores().items()})
    data.update(overrides)
    return data


def test_a_consultant_runs_the_uitvraag(login, consulent, casus):
    client = login(consulent)
    page = client.get(url("uitvraag", casus))
    assert page.status_code == 200
    assert "Brede uitvraag" in page.content.decode()
    response = client.post(
        url("uitvraag", casus),
        _meting_post(
            toelichting_meedoen="Ik zie bijna niemand meer",
            notitie_financien="Schulden bij energie",
        ),
    )
    assert response.status_code == 302
    meting = Meting.objects.get()
    assert meting.soort == "uitvraag" and meting.meedoen == 2
    assert UitvraagNotitie.objects.get().notitie == "Schulden bij energie"
    detail = client.get(url("meting", casus, meting.pk)).content.decode()
    assert "Ik zie bijna niemand meer" in detail and "Schulden bij energie" in detail
    assert AuditRecord.objects.filter(
        actie=AuditActie.READ, object_type="meting", object_id=str(meting.pk)
    ).exists()


def test_a_score_outside_0_10_comes_back_on_the_form(login, consulent, casus):
    client = login(consulent)
    response = client.post(url("uitvraag", casus), _meting_post(zingeving="12", meedoen="6,5"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Een score ligt tussen 0 en 10." in html
    assert "Vul een heel getal van 0 tot en met 10 in." in html
    assert not Meting.objects.exists()


def test_plan_flow_goals_actions_nudge_vaststellen(login, consulent, casus, lid):
    client = login(consulent)
    assert "Nog geen plan" in client.get(url("plan", casus)).content.decode()
    client.post(url("starten", casus), {"startdatum": "2026-01-12"})
    plan = Plan.objects.get()
    response = client.post(
        url("doel_nieuw", casus),
        {
            "tekst": "Ik wil mijn post weer zelf openen",
            "dimensies": ["dagelijks_functioneren"],
            "leefgebieden": ["financien"],
            "gezinsleden": [str(lid.pk)],
            "versie": "1",
        },
    )
    assert response.status_code == 302
    doel = Doel.objects.get()
    actie_url = url("actie_nieuw", casus, doel.pk)
    heavy = {
        "omschrijving": "Beschermingsbewind aanvragen",
        "eigenaar_soort": "gemeente",
        "deadline": "2026-03-01",
        "trede": "3",
        "versie": "1",
    }
    asked = client.post(actie_url, heavy)
    assert asked.status_code == 200
    assert "Waarom is zwaardere ondersteuning nodig?" in asked.content.decode()
    assert not Actie.objects.exists()
    client.post(actie_url, {**heavy, "reden_zwaar": "Schulden lopen snel op"})
    assert Actie.objects.get().reden_zwaar == "Schulden lopen snel op"
    page = client.get(url("plan", casus)).content.decode()
    assert "Dit doel heeft alleen acties op trede 3 of 4" in page
    assert 'data-live-refresh="casus:' in page
    empty = client.post(
        url("vaststellen", casus), {"datum": timezone.localdate().isoformat(), "versie": "1"}
    )
    assert "Vul in wie er bij het vaststellen aanwezig waren." in empty.content.decode()
    assert not PlanVersie.objects.exists()
    client.post(
        url("vaststellen", casus),
        {
            "datum": timezone.localdate().isoformat(),
            "anderen": "Anna\nBuurvrouw Els",
            "versie": "1",
        },
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.VASTGESTELD
    versie = client.get(url("versie", casus, 1)).content.decode()
    assert "Ik wil mijn post weer zelf openen" in versie and "Buurvrouw Els" in versie


def test_an_old_form_of_a_vastgestelde_version_is_refused(login, consulent, casus, plan, doel):
    from casussen.plan import services

    services.plan_vaststellen(
        plan=plan, casus=casus, by=consulent, datum=timezone.localdate(), aanwezig=["Anna"]
    )
    services.doel_update(doel=doel, casus=casus, by=consulent, tekst="Versie twee")
    client = login(consulent)
    response = client.post(
        url("doel", casus, doel.pk),
        {
            "tekst": "Van een oud scherm",
            "dimensies": ["meedoen"],
            "gezinsleden": [str(g.pk) for g in doel.gezinsleden.all()],
            "versie": "1",
        },
    )
    assert "Versie 1 van het plan is vastgesteld" in response.content.decode()
    doel.refresh_from_db()
    assert doel.tekst == "Versie twee"


def test_the_evaluation_shows_the_trend_and_the_goal_outcome(login, consulent, casus, plan, doel):
    client = login(consulent)
    client.post(url("uitvraag", casus), _meting_post(datum="2026-01-12"))
    services.plan_vaststellen(
        plan=plan, casus=casus, by=consulent, datum=timezone.localdate(), aanwezig=["Inwoner"]
    )
    client.post(
        url("evaluatie", casus),
        _meting_post(meedoen="6", **{f"uitkomst_{doel.pk}": "deels_bereikt"}),
    )
    assert Meting.objects.filter(soort="evaluatie").count() == 1
    fragment = client.get(url("fragment", casus)).content.decode()
    assert "Verloop per dimensie" in fragment
    assert 'class="grafiek trend"' in fragment
    assert "Deels bereikt" in fragment
    assert "+4" in fragment  # meedoen 2 → 6
    assert all(f'data-dimensie="{code}"' in fragment for code in DIMENSIES)


def test_evaluation_is_offered_only_once_the_plan_is_vastgesteld(login, consulent, casus, plan):
    client = login(consulent)
    assert "Evaluatie vastleggen" not in client.get(url("plan", casus)).content.decode()
    response = client.post(url("evaluatie", casus), _meting_post(meedoen="6"))
    assert response.status_code == 302
    assert not Meting.objects.filter(soort="evaluatie").exists()


def test_print_and_pdf_are_audited(login, consulent, casus, plan, doel):
    client = login(consulent)
    page = client.get(url("afdrukken", casus))
    assert page.status_code == 200 and "Uw plan" in page.content.decode()
    pdf = client.get(url("pdf", casus))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    acties = set(
        AuditRecord.objects.filter(object_type="plan", object_id=str(plan.pk)).values_list(
            "actie", flat=True
        )
    )
    assert {AuditActie.PRINT, AuditActie.EXPORT} <= acties


def test_the_case_page_includes_the_live_plan_fragment(login, consulent, casus):
    html = login(consulent).get(reverse("casussen:casus", args=[casus.pk])).content.decode()
    assert url("fragment", casus) in html
    assert f'data-live-refresh="casus:{casus.pk}"' in html
