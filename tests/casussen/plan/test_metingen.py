"""Metingen: six integer scores 0-10, the resident's words and leefgebied notes sealed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Actie as AuditActie
from audit.models import AuditRecord
from casussen.plan import services
from casussen.plan.models import Meting, UitvraagNotitie
from tests.casussen.plan.conftest import scores
from toegang.events.models import OutboxEvent

pytestmark = pytest.mark.django_db

VANDAAG = timezone.localdate


def _record(casus, by, **kwargs):
    values = {"soort": "uitvraag", "datum": VANDAAG(), "scores": scores()}
    values.update(kwargs)
    return services.meting_record(casus=casus, by=by, **values)


def test_an_uitvraag_stores_scores_words_and_notes(casus, consulent, lid):
    meting = _record(
        casus,
        consulent,
        gezinslid=lid,
        toelichtingen={"meedoen": "Ik kom de deur bijna niet meer uit"},
        notities={"financien": "Betalingsachterstand energie", "wonen": ""},
    )
    stored = Meting.objects.get(pk=meting.pk)
    assert stored.scores() == scores()
    assert stored.toelichting_meedoen == "Ik kom de deur bijna niet meer uit"
    assert stored.toelichting_zingeving is None
    notes = {n.leefgebied: n.notitie for n in UitvraagNotitie.objects.filter(meting=meting)}
    assert notes == {"financien": "Betalingsachterstand energie"}
    raw = Meting.objects.filter(pk=meting.pk).values_list("toelichting_meedoen", flat=True).get()
    assert b"deur" not in raw.blob
    record = AuditRecord.objects.get(actie=AuditActie.CREATE, object_type="meting")
    assert record.persoon_ids == [str(lid.pk)]
    assert "notitie_financien" in record.velden
    assert OutboxEvent.objects.filter(
        event_type="plan.bijgewerkt", payload__onderdeel="meting"
    ).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (11, "Een score ligt tussen 0 en 10."),
        (-1, "Een score ligt tussen 0 en 10."),
        (6.5, "Vul een heel getal van 0 tot en met 10 in."),
        ("7", "Vul een heel getal van 0 tot en met 10 in."),
        (True, "Vul een heel getal van 0 tot en met 10 in."),
        (None, "Vul voor elke dimensie een score in."),
    ],
)
def test_bad_scores_are_refused_with_a_dutch_message(casus, consulent, value, message):
    with pytest.raises(ValidationError) as info:
        _record(casus, consulent, scores=scores(zingeving=value))
    assert info.value.message_dict["zingeving"] == [message]
    assert not Meting.objects.exists()
    assert not AuditRecord.objects.filter(object_type="meting").exists()


def test_the_edges_0_and_10_are_fine(casus, consulent):
    meting = _record(casus, consulent, scores=scores(meedoen=0, zingeving=10))
    assert (meting.meedoen, meting.zingeving) == (0, 10)


def test_the_database_refuses_a_score_above_10(casus, consulent):
    meting = _record(casus, consulent)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meting.objects.filter(pk=meting.pk).update(meedoen=11)


def test_other_bad_input_is_refused(casus, gezin, consulent):
    vreemd = gezin.huishouden.gezinsleden.first()
    with pytest.raises(ValidationError) as info:
        _record(
            casus,
            consulent,
            soort="evaluatie",
            datum=VANDAAG() + timedelta(days=2),
            gezinslid=vreemd,
            notities={"financien": "x", "maan": "y"},
            scores={**scores(), "geluk": 5},
        )
    errors = info.value.message_dict
    assert set(errors) >= {"datum", "gezinslid", "notities", "leefgebieden", "scores"}
    assert not Meting.objects.exists()


def test_an_evaluation_judges_goals_in_the_same_transaction(casus, consulent, plan, doel):
    services.evaluatie_record(
        casus=casus,
        by=consulent,
        datum=VANDAAG(),
        scores=scores(meedoen=5),
        uitkomsten={str(doel.pk): "bereikt"},
    )
    doel.refresh_from_db()
    assert doel.uitkomst == "bereikt" and doel.beoordeeld_op == VANDAAG()
    assert Meting.objects.get().soort == "evaluatie"


def test_a_bad_judgement_rolls_back_the_evaluation(casus, consulent, plan, doel):
    with pytest.raises(ValidationError):
        services.evaluatie_record(
            casus=casus,
            by=consulent,
            datum=VANDAAG(),
            scores=scores(),
            uitkomsten={str(doel.pk): "geweldig"},
        )
    assert not Meting.objects.exists()
    doel.refresh_from_db()
    assert doel.uitkomst == ""
