"""Live updates: ``plan.bijgewerkt`` reaches everyone who sees the casus, and nobody else."""

from __future__ import annotations

import pytest

from casussen.plan import services
from tests.casussen.plan.conftest import START
from tests.toegang.events.layers import RecordingLayer
from toegang.events.models import OutboxEvent
from toegang.events.relay import Relay
from toegang.roles import Rol

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_plan_change_is_sent_to_the_casus_viewers_with_ids_only(
    casus, consulent, make_user, make_betrokkene
):
    betrokkene = make_betrokkene(schrijfrecht=False)
    stranger = make_user(Rol.CONSULENT)
    plan = services.plan_create(casus=casus, startdatum=START, by=consulent)
    OutboxEvent.objects.exclude(event_type="plan.bijgewerkt").delete()
    layer = RecordingLayer()
    relay = Relay(layer=layer)
    relay.run_once()
    relay.close()
    groups = {group for group, message in layer.sent if message["event_type"] == "plan.bijgewerkt"}
    assert groups == {f"user.{consulent.pk}", f"user.{betrokkene.pk}"}
    assert f"user.{stranger.pk}" not in groups
    message = next(m for _, m in layer.sent if m["event_type"] == "plan.bijgewerkt")
    assert message["aggregate_type"] == "casus" and message["aggregate_id"] == str(casus.pk)
    assert set(message) == {
        "type",
        "event_type",
        "aggregate_type",
        "aggregate_id",
        "version",
        "event_id",
    }
    event = OutboxEvent.objects.get(event_type="plan.bijgewerkt")
    assert event.payload == {
        "plan_id": str(plan.pk),
        "onderdeel": "plan",
        "object_id": str(plan.pk),
    }
