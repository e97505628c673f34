"""Acties: owner and date rules, and the "licht waar kan, zwaar waar nodig" nudge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.core.exceptions import ValidationError

from audit.models import Actie as AuditActie
from audit.models import AuditRecord
from casussen.plan import services
from casussen.plan.models import Actie
from casussen.plan.services.acties import REDEN_NODIG, needs_reason
from tests.casussen.plan.conftest import START
from toegang.events.models import OutboxEvent
from toegang.roles import Rol

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError, field: str) -> list[str]:
    return [error.code for error in exc.error_dict[field]]


def test_a_heavy_action_without_a_light_one_asks_for_a_reason(doel, make_actie):
    with pytest.raises(ValidationError) as info:
        make_actie(doel, trede=3)
    assert _codes(info.value, "reden_zwaar") == [REDEN_NODIG]
    assert "Licht waar kan, zwaar waar nodig" in info.value.message_dict["reden_zwaar"][0]
    assert not Actie.objects.exists()


def test_the_reason_is_stored_sealed(doel, make_actie):
    actie = make_actie(doel, trede=4, reden_zwaar="Acute dreiging van huisuitzetting")
    stored = Actie.objects.get(pk=actie.pk)
    assert stored.reden_zwaar == "Acute dreiging van huisuitzetting"
    raw = Actie.objects.filter(pk=actie.pk).values_list("reden_zwaar", flat=True).get().blob
    assert b"huisuitzetting" not in raw


def test_a_light_action_on_the_goal_makes_a_heavy_one_need_no_reason(doel, make_actie):
    make_actie(doel, trede=2)
    heavy = make_actie(doel, trede=3)
    assert heavy.reden_zwaar in (None, "")


def test_a_stopped_light_action_does_not_count(doel, make_actie, casus, consulent):
    light = make_actie(doel, trede=1)
    services.actie_status_set(actie=light, casus=casus, by=consulent, status="gestopt")
    assert needs_reason(doel=doel, trede=3)
    with pytest.raises(ValidationError):
        make_actie(doel, trede=3)


def test_raising_the_only_light_action_to_trede_3_asks_for_a_reason(
    doel, make_actie, casus, consulent
):
    actie = make_actie(doel, trede=1)
    with pytest.raises(ValidationError) as info:
        services.actie_update(actie=actie, casus=casus, by=consulent, trede=3)
    assert _codes(info.value, "reden_zwaar") == [REDEN_NODIG]
    actie.refresh_from_db()
    assert actie.trede == 1


def test_an_action_needs_an_owner_and_a_date_not_before_the_start(doel, make_actie):
    with pytest.raises(ValidationError) as info:
        make_actie(doel, eigenaar_soort="", deadline=START - timedelta(days=1), omschrijving=" ")
    errors = info.value.message_dict
    assert errors["eigenaar_soort"][0].startswith("Kies wie de actie uitvoert")
    assert errors["deadline"] == ["De datum ligt vóór de start van het plan (12 januari 2026)."]
    assert errors["omschrijving"] == ["Beschrijf wat er gaat gebeuren."]
    with pytest.raises(ValidationError) as info:
        make_actie(doel, deadline=None)
    assert "deadline" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        make_actie(doel, trede=5)
    assert info.value.message_dict["trede"] == ["Kies een trede van 1 tot en met 4."]
    assert not Actie.objects.exists()


def test_the_owner_user_must_have_access_to_the_casus(doel, make_actie, make_user, make_betrokkene):
    stranger = make_user(Rol.CONSULENT)
    with pytest.raises(ValidationError, match="geen toegang tot deze casus"):
        make_actie(doel, eigenaar_soort="partnerorganisatie", eigenaar=stranger)
    betrokkene = make_betrokkene(schrijfrecht=True)
    actie = make_actie(
        doel,
        eigenaar_soort="partnerorganisatie",
        eigenaar=betrokkene,
        eigenaar_omschrijving="Schuldhulpmaatje",
    )
    assert actie.eigenaar == betrokkene


def test_adding_an_action_is_audited_with_field_names_only(doel, make_actie):
    actie = make_actie(doel, trede=1, omschrijving="Zus Els helpt met de post")
    row = AuditRecord.objects.get(
        actie=AuditActie.CREATE, object_type="actie", object_id=str(actie.pk)
    )
    assert "omschrijving" in row.velden
    assert "Els" not in str(row.velden) + row.reden
    assert OutboxEvent.objects.filter(
        event_type="plan.bijgewerkt", payload__object_id=str(actie.pk)
    ).exists()
