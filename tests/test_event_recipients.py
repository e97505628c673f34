"""Realtime recipients are exactly those allowed: generated over the event catalogue.

For every event type in the registry and every state its object can be in, the
users the relay would send it to (``registry.recipients_for``) are checked
against a population with a user of every role, with and without ties to the
object. Whoever receives an event must be allowed to see the object by the rules
of the pages (``registry.may_access``: the same selectors as the views); every
user without access receives nothing. A new event type is covered by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from django.utils import timezone

from casussen.overleg import services as overleg_services
from casussen.overleg.models import Sessie
from casussen.services.betrokkenen import betrokkene_add
from casussen.services.casus import casus_open
from signalen.services import signaal_assign, signaal_receive, signaal_terugkoppelen
from tests.casussen.factories import make_huishouden
from tests.casussen.overleg_factories import inbreng
from tests.signalen import factories as signaal_factories
from tests.toegang.factories import TeamFactory, UserFactory
from toegang.events import registry
from toegang.events.models import OutboxEvent
from toegang.roles import Rol

pytestmark = pytest.mark.django_db

#: Aggregate types of the tests' own event definitions (see tests/toegang/events/helpers.py).
TEST_AGGREGATES = {"proef"}
CATALOGUE = [t for t in registry.event_types() if t.aggregate_type not in TEST_AGGREGATES]


@dataclass
class World:
    population: dict[str, Any]
    objects: dict[str, dict[str, str]]  # aggregate type -> state -> aggregate id


@pytest.fixture
def world(gemeente, team, settings) -> World:
    settings.SIGNALEN_TEAM = team.naam
    ander_team = TeamFactory(organisatie=gemeente, naam="Zz ander team")
    inloophuis = signaal_factories.inloophuis()
    praktijk = signaal_factories.huisarts()

    def staff(rol: str, **kwargs: Any) -> Any:
        kwargs.setdefault("organisatie", gemeente)
        return UserFactory(rol=rol, **kwargs)

    people = {
        "aanspreekpunt": staff(Rol.CONSULENT, team=team),
        "betrokkene": staff(Rol.CONSULENT, team=ander_team),
        "consulent_zelfde_team": staff(Rol.CONSULENT, team=team),
        "consulent_ander_team": staff(Rol.CONSULENT, team=ander_team),
        "teamleider_zelfde_team": staff(Rol.TEAMLEIDER, team=team),
        "teamleider_ander_team": staff(Rol.TEAMLEIDER, team=ander_team),
        "melder": signaal_factories.melder_of(inloophuis),
        "melder_zelfde_organisatie": signaal_factories.melder_of(inloophuis),
        "melder_andere_organisatie": signaal_factories.melder_of(praktijk),
        "privacy_officer": staff(Rol.PRIVACY_OFFICER),
        "beleidsadviseur": staff(Rol.BELEIDSADVISEUR),
        "beheerder": staff(Rol.BEHEERDER, is_staff=True),
        "oud_betrokkene": staff(Rol.CONSULENT, team=team),  # deactivated below
    }
    teamleider = people["teamleider_zelfde_team"]

    huishouden, _ = make_huishouden({})
    casus = casus_open(
        huishouden=huishouden, aanspreekpunt=people["aanspreekpunt"], team=team, by=teamleider
    )
    for key in ("betrokkene", "oud_betrokkene"):
        betrokkene_add(
            casus=casus,
            user=people[key],
            reden="Schuldhulp",
            eind_datum=timezone.localdate() + timedelta(days=30),
            by=people["aanspreekpunt"],
        )
    people["oud_betrokkene"].is_active = False
    people["oud_betrokkene"].save()

    melder = people["melder"]
    in_queue = signaal_receive(melder=melder, data=signaal_factories.anoniem())
    on_casus = signaal_assign(
        signaal=signaal_receive(melder=melder, data=signaal_factories.anoniem()),
        aanspreekpunt=people["aanspreekpunt"],
        by=teamleider,
    )
    handled = signaal_terugkoppelen(
        signaal=signaal_receive(melder=melder, data=signaal_factories.anoniem()),
        status="afgerond",
        bericht="",
        by=teamleider,
    )
    inloophuis.overleg_deelnemer = True
    inloophuis.save()
    overleg = overleg_services.overleg_create(
        naam="SVO",
        voorzitter=teamleider,
        deelnemers=[melder, people["melder_andere_organisatie"]],
        schema="",
        by=teamleider,
    )
    sessies = {}
    for state in ("gepubliceerd", "concept"):
        start = timezone.now()
        sessie = overleg_services.sessie_plan(
            overleg=overleg, begint_op=start, eindigt_op=start + timedelta(hours=1), by=teamleider
        )
        overleg_services.casus_inbrengen(
            sessie=sessie,
            casus=casus,
            by=people["aanspreekpunt"],
            gedeeld_met=[melder],
            **inbreng(),
        )
        sessies[state] = str(sessie.pk)
    overleg_services.sessie_publiceren(
        sessie=Sessie.objects.get(pk=sessies["gepubliceerd"]), by=teamleider
    )
    return World(
        population=people,
        objects={
            "casus": {"met betrokkene": str(casus.pk)},
            "signaal": {
                "in de wachtrij": str(in_queue.pk),
                "bij een casus": str(on_casus.pk),
                "afgehandeld": str(handled.pk),
            },
            "huishouden": {"van de casus": str(huishouden.pk)},
            "overleg": sessies,
        },
    )


def _event(event_type: registry.EventType, aggregate_id: str) -> OutboxEvent:
    return OutboxEvent(
        event_type=event_type.name,
        aggregate_type=event_type.aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=1,
        payload={},
    )


def test_the_catalogue_is_covered():
    assert {t.aggregate_type for t in CATALOGUE} <= {"casus", "signaal", "huishouden", "overleg"}
    assert len(CATALOGUE) >= 17


@pytest.mark.parametrize("event_type", CATALOGUE, ids=lambda t: t.name)
def test_only_users_allowed_to_see_the_object_receive_the_event(world, event_type):
    for state, aggregate_id in world.objects[event_type.aggregate_type].items():
        recipients = registry.recipients_for(_event(event_type, aggregate_id))
        for who, user in world.population.items():
            allowed = registry.may_access(user, event_type.aggregate_type, aggregate_id)
            if not allowed:
                assert user.pk not in recipients, (
                    f"{event_type.name} ({state}) reaches {who} ({user.rol}), who may not see it"
                )


@pytest.mark.parametrize("event_type", CATALOGUE, ids=lambda t: t.name)
def test_the_people_who_work_on_the_object_do_receive_the_event(world, event_type):
    """The other half: the check above is not passed by sending nobody anything."""
    people = world.population
    expected = {
        "casus": {"met betrokkene": {"aanspreekpunt", "betrokkene"}},
        "signaal": {
            "in de wachtrij": {"consulent_zelfde_team", "teamleider_zelfde_team"},
            "bij een casus": {"aanspreekpunt"},
            "afgehandeld": set(),
        },
        "huishouden": {"van de casus": set()},
        # the chair and who brought an item in; participants only once it is published
        "overleg": {
            "gepubliceerd": {"teamleider_zelfde_team", "aanspreekpunt", "melder"},
            "concept": {"teamleider_zelfde_team", "aanspreekpunt"},
        },
    }[event_type.aggregate_type]
    for state, aggregate_id in world.objects[event_type.aggregate_type].items():
        recipients = registry.recipients_for(_event(event_type, aggregate_id))
        assert {people[who].pk for who in expected[state]} <= recipients, state


def test_a_teammate_gets_no_signal_that_went_straight_to_someone_elses_casus(world):
    """The reported case: not every consulent of the team, only who may see the casus."""
    people = world.population
    event = _event(registry.get("signaal.ontvangen"), world.objects["signaal"]["bij een casus"])
    recipients = registry.recipients_for(event)
    assert people["aanspreekpunt"].pk in recipients
    assert people["consulent_zelfde_team"].pk not in recipients
    assert people["teamleider_zelfde_team"].pk not in recipients


def test_overleg_events_skip_drafts_for_participants_and_reach_no_outsider(world):
    """Overleg events reach the session's participants only within the access window, and
    never a melder of a participating organisation who is not a participant."""
    people = world.population
    event = _event(
        registry.get("overleg.huidig_punt_gewijzigd"), world.objects["overleg"]["concept"]
    )
    recipients = registry.recipients_for(event)
    assert people["melder"].pk not in recipients
    published = _event(
        registry.get("overleg.afspraak_vastgelegd"), world.objects["overleg"]["gepubliceerd"]
    )
    recipients = registry.recipients_for(published)
    assert people["melder_zelfde_organisatie"].pk not in recipients
    assert people["melder_andere_organisatie"].pk not in recipients  # organisation not flagged


def test_the_relays_batched_answer_is_the_per_event_answer(world):
    """One batch holding every event type in every state, several about one object:
    ``recipients_for_many`` must give each event what ``recipients_for`` gives it."""
    batch = []
    for event_type in CATALOGUE:
        for aggregate_id in world.objects[event_type.aggregate_type].values():
            event = _event(event_type, aggregate_id)
            event.pk = len(batch) + 1
            batch.append(event)
    assert len({e.event_type for e in batch if e.aggregate_type == "signaal"}) >= 3

    answers = registry.recipients_for_many(batch)

    assert answers == {event.pk: registry.recipients_for(event) for event in batch}
    assert any(answers[e.pk] for e in batch if e.aggregate_type == "signaal")


def test_signal_recipients_of_a_batch_take_a_few_queries_not_a_few_per_event(
    world, django_assert_max_num_queries
):
    melder = world.population["melder"]
    extra = [signaal_receive(melder=melder, data=signaal_factories.anoniem()) for _ in range(8)]
    ids = [str(s.pk) for s in extra] + list(world.objects["signaal"].values())
    batch = []
    for event_type in ("signaal.ontvangen", "signaal.bijgewerkt"):
        for aggregate_id in ids:
            event = _event(registry.get(event_type), aggregate_id)
            event.pk = len(batch) + 1
            batch.append(event)

    # Per kind (with or without the melders): the signals, the melders, the queue, the
    # team's people; and who may see the one casus.
    with django_assert_max_num_queries(4 + 3 + 2):
        answers = registry.recipients_for_many(batch)

    assert world.population["consulent_zelfde_team"].pk in answers[1]
