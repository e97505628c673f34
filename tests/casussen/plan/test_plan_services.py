"""The plan services: one plan per huishouden, versioning with vaststellen, the diff."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Actie as AuditActie
from audit.models import AuditRecord
from casussen.models import Casus
from casussen.plan import services
from casussen.plan.constants import PlanStatus
from casussen.plan.diff import snapshot_diff
from casussen.plan.errors import PlanBestaatAlError, PlanError, VersieVastgesteldError
from casussen.plan.models import Doel, Plan, PlanVersie
from casussen.services.casus import casus_open, casus_set_status
from tests.casussen.factories import AFSLUITING
from tests.casussen.plan.conftest import START
from toegang.events.models import OutboxEvent

pytestmark = pytest.mark.django_db

VANDAAG = timezone.localdate


def _vaststellen(plan, casus, by, **kwargs):
    values = {"datum": VANDAAG(), "aanwezig": ["Anna Jansen", "Sanne de Vries"]}
    values.update(kwargs)
    return services.plan_vaststellen(plan=plan, casus=casus, by=by, **values)


def test_a_huishouden_has_one_plan(casus, consulent, plan):
    with pytest.raises(PlanBestaatAlError, match="één plan per huishouden"):
        services.plan_create(casus=casus, startdatum=START, by=consulent)
    assert Plan.objects.filter(huishouden=casus.huishouden).count() == 1


def test_the_database_refuses_a_second_plan_for_a_huishouden(casus, consulent, plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            huishouden=casus.huishouden, startdatum=START, aangemaakt_door=consulent
        )


def test_a_new_casus_of_the_same_huishouden_continues_its_plan(
    casus, consulent, plan, team, teamleider
):
    casus_set_status(
        casus=casus,
        status=Casus.Status.AFGESLOTEN,
        version=casus.version,
        by=consulent,
        **AFSLUITING,
    )
    again = casus_open(
        huishouden=casus.huishouden, aanspreekpunt=consulent, team=team, by=teamleider
    )
    with pytest.raises(PlanBestaatAlError):
        services.plan_create(casus=again, startdatum=START, by=consulent)
    doel = services.doel_add(
        plan=plan,
        casus=again,
        by=consulent,
        tekst="Verder met het plan",
        dimensies=["meedoen"],
        gezinsleden=[again.huishouden.gezinsleden.first().pk],
    )
    assert doel.plan_id == plan.pk


def test_plan_create_is_audited_and_emits_plan_bijgewerkt(casus, consulent):
    plan = services.plan_create(casus=casus, startdatum=START, by=consulent)
    assert AuditRecord.objects.filter(
        actie=AuditActie.CREATE,
        object_type="plan",
        object_id=str(plan.pk),
        huishouden_id=casus.huishouden_id,
    ).exists()
    event = OutboxEvent.objects.get(event_type="plan.bijgewerkt")
    assert event.aggregate_id == str(casus.pk)
    assert event.payload == {
        "plan_id": str(plan.pk),
        "onderdeel": "plan",
        "object_id": str(plan.pk),
    }


def test_vaststellen_stores_a_sealed_snapshot_and_moves_the_casus_on(
    casus, consulent, plan, doel, make_actie
):
    make_actie(doel, trede=2, omschrijving="Naar het Financieel Café")
    versie = _vaststellen(plan, casus, consulent)
    plan.refresh_from_db()
    assert (plan.versie, plan.status) == (1, PlanStatus.VASTGESTELD)
    assert versie.nummer == 1
    inhoud = json.loads(PlanVersie.objects.get(pk=versie.pk).inhoud)
    assert inhoud["doelen"][0]["tekst"] == "Ik wil weer rust in mijn hoofd over geld"
    assert inhoud["doelen"][0]["acties"][0]["omschrijving"] == "Naar het Financieel Café"
    raw = PlanVersie.objects.filter(pk=versie.pk).values_list("inhoud", "aanwezig").get()
    assert b"Financieel" not in raw[0].blob and b"Anna" not in raw[1].blob
    casus.refresh_from_db()
    assert casus.status == Casus.Status.PLAN_VASTGESTELD


def test_a_change_after_vaststellen_opens_a_new_draft_version(casus, consulent, plan, doel):
    _vaststellen(plan, casus, consulent)
    services.doel_update(doel=doel, casus=casus, by=consulent, tekst="Rust in mijn hoofd", versie=1)
    plan.refresh_from_db()
    assert (plan.versie, plan.status) == (2, PlanStatus.CONCEPT)
    old = json.loads(PlanVersie.objects.get(plan=plan, nummer=1).inhoud)
    assert old["doelen"][0]["tekst"] == "Ik wil weer rust in mijn hoofd over geld"
    services.doel_update(doel=doel, casus=casus, by=consulent, tekst="Rust, echt", versie=2)
    plan.refresh_from_db()
    assert plan.versie == 2  # still the same draft


def test_editing_an_old_version_is_refused_and_changes_nothing(
    casus, consulent, plan, doel, make_actie
):
    _vaststellen(plan, casus, consulent)
    services.doel_update(doel=doel, casus=casus, by=consulent, tekst="Nieuwe tekst")
    with pytest.raises(VersieVastgesteldError, match="Versie 1 van het plan is vastgesteld"):
        services.doel_update(doel=doel, casus=casus, by=consulent, tekst="Oud", versie=1)
    with pytest.raises(VersieVastgesteldError):
        make_actie(doel, trede=1, versie=1)
    with pytest.raises(VersieVastgesteldError):
        _vaststellen(plan, casus, consulent, versie=1)
    doel.refresh_from_db()
    assert doel.tekst == "Nieuwe tekst"
    assert doel.acties.count() == 0
    assert PlanVersie.objects.filter(plan=plan).count() == 1


def test_vaststellen_needs_someone_present(casus, consulent, plan, doel):
    for aanwezig in ([], "", ["  "], "\n"):
        with pytest.raises(ValidationError) as info:
            _vaststellen(plan, casus, consulent, aanwezig=aanwezig)
        assert info.value.message_dict["aanwezig"] == [
            "Vul in wie er bij het vaststellen aanwezig waren."
        ]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONCEPT
    assert not PlanVersie.objects.exists()


def test_vaststellen_refuses_a_future_date_an_empty_plan_and_a_second_time(casus, consulent, plan):
    with pytest.raises(ValidationError) as info:
        _vaststellen(plan, casus, consulent, datum=VANDAAG() + timedelta(days=1))
    assert "toekomst" in info.value.message_dict["datum"][0]
    with pytest.raises(PlanError, match="zonder doelen"):
        _vaststellen(plan, casus, consulent)
    services.doel_add(
        plan=plan,
        casus=casus,
        by=consulent,
        tekst="Een doel",
        dimensies=["zingeving"],
        gezinsleden=[casus.huishouden.gezinsleden.first().pk],
    )
    _vaststellen(plan, casus, consulent)
    with pytest.raises(PlanError, match="al vastgesteld"):
        _vaststellen(plan, casus, consulent)
    assert PlanVersie.objects.count() == 1


def test_status_and_judgement_do_not_open_a_new_version(casus, consulent, plan, doel, make_actie):
    actie = make_actie(doel, trede=1)
    _vaststellen(plan, casus, consulent)
    services.actie_status_set(actie=actie, casus=casus, by=consulent, status="bezig")
    services.doel_beoordelen(
        doel=doel, casus=casus, by=consulent, uitkomst="deels_bereikt", datum=VANDAAG()
    )
    plan.refresh_from_db()
    assert (plan.versie, plan.status) == (1, PlanStatus.VASTGESTELD)
    doel.refresh_from_db()
    assert doel.uitkomst == "deels_bereikt"


def test_the_diff_between_two_versions_names_what_changed(casus, consulent, plan, doel, make_actie):
    actie = make_actie(doel, trede=1, omschrijving="Buurvrouw helpt met post")
    _vaststellen(plan, casus, consulent, datum=VANDAAG() - timedelta(days=7))
    services.actie_update(actie=actie, casus=casus, by=consulent, deadline=START + timedelta(60))
    nieuw = services.doel_add(
        plan=plan,
        casus=casus,
        by=consulent,
        tekst="Weer aan het werk",
        leefgebieden=["werk"],
        gezinsleden=[casus.huishouden.gezinsleden.first().pk],
    )
    _vaststellen(plan, casus, consulent)
    v1, v2 = (json.loads(v.inhoud) for v in PlanVersie.objects.filter(plan=plan))
    changes = snapshot_diff(v1, v2)
    kinds = {(c.onderdeel, c.soort, c.doel_tekst or c.actie_omschrijving) for c in changes}
    assert ("doel", "toegevoegd", "Weer aan het werk") in kinds
    gewijzigd = [c for c in changes if c.onderdeel == "actie" and c.soort == "gewijzigd"]
    assert [v.veld for v in gewijzigd[0].velden] == ["deadline"]
    assert gewijzigd[0].velden[0].nieuw == (START + timedelta(60)).isoformat()
    assert Doel.objects.get(pk=nieuw.pk).plan_id == plan.pk


def test_a_goal_needs_words_a_dimension_and_a_gezinslid(gezin, consulent):
    plan = services.plan_create(casus=gezin, startdatum=START, by=consulent)
    with pytest.raises(ValidationError) as info:
        services.doel_add(plan=plan, casus=gezin, by=consulent, tekst="  ")
    errors = info.value.message_dict
    assert errors["tekst"] == ["Schrijf het doel op in de woorden van de inwoner."]
    assert "gezinslid" in errors["gezinsleden"][0]
    assert "dimensie" in errors["dimensies"][0]
    assert not Doel.objects.exists()


def test_a_goal_for_a_gezinslid_of_another_huishouden_is_refused(casus, gezin, consulent, plan):
    vreemd = gezin.huishouden.gezinsleden.first()
    with pytest.raises(ValidationError, match="gezinsleden van dit huishouden"):
        services.doel_add(
            plan=plan,
            casus=casus,
            by=consulent,
            tekst="x",
            dimensies=["meedoen"],
            gezinsleden=[vreemd.pk],
        )
    assert not Doel.objects.exists()


def test_a_goal_is_sealed_with_the_huishoudens_key(doel):
    raw = Doel.objects.filter(pk=doel.pk).values_list("tekst", flat=True).get().blob
    assert b"rust" not in raw
    assert Doel.objects.get(pk=doel.pk).tekst == "Ik wil weer rust in mijn hoofd over geld"


def test_a_closed_casus_refuses_plan_changes(casus, consulent, plan, doel):
    casus = casus_set_status(
        casus=casus,
        status=Casus.Status.AFGESLOTEN,
        version=casus.version,
        by=consulent,
        **AFSLUITING,
    )
    with pytest.raises(PlanError, match="afgesloten"):
        services.doel_update(doel=doel, casus=casus, by=consulent, tekst="Nee")
    doel.refresh_from_db()
    assert doel.tekst.startswith("Ik wil")


def test_start_date_must_be_a_date(casus, consulent):
    with pytest.raises(ValidationError):
        services.plan_create(casus=casus, startdatum="morgen", by=consulent)
    assert not Plan.objects.exists()
    assert isinstance(START, date)
