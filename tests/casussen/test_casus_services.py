"""The casus services: every rule and every bad input of issue 5, with state unchanged."""

from __future__ import annotations

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Actie, AuditRecord
from casussen.errors import CasusConflict, VersieConflict
from casussen.models import Casus, CasusUserObjectPermission, TimelineEntry
from casussen.selectors import casus_viewer_ids, casussen_for_user
from casussen.services.access import CHANGE, VIEW
from casussen.services.casus import (
    casus_assign_aanspreekpunt,
    casus_open,
    casus_overdragen,
    casus_set_status,
    casus_touch,
    timeline_add,
)
from tests.casussen.factories import AFSLUITING, make_huishouden
from toegang import policy
from toegang.roles import Rol

pytestmark = pytest.mark.django_db


def perms(user, casus) -> set[str]:
    return policy.codenames_of(CasusUserObjectPermission, user_id=user.pk, object_id=casus.pk)


def test_open_grants_view_and_change_to_the_aanspreekpunt_only(make_casus, consulent, collega):
    casus = make_casus(consulent)
    assert perms(consulent, casus) == {VIEW, CHANGE}
    assert perms(collega, casus) == set()
    assert casus_viewer_ids(casus_id=casus.pk) == {consulent.pk}
    assert AuditRecord.objects.filter(
        actie=Actie.CREATE, object_type="casus", object_id=str(casus.pk)
    ).exists()
    assert casus.tijdlijn.filter(soort=TimelineEntry.Soort.GEOPEND).count() == 1


def test_second_open_casus_for_one_huishouden_is_refused(team, teamleider, consulent):
    huishouden, _ = make_huishouden()
    casus_open(huishouden=huishouden, aanspreekpunt=consulent, team=team, by=teamleider)
    with pytest.raises(CasusConflict, match="al een open casus"):
        casus_open(huishouden=huishouden, aanspreekpunt=consulent, team=team, by=teamleider)
    assert Casus.objects.filter(huishouden=huishouden).count() == 1


def test_a_closed_casus_allows_a_new_one(make_casus, consulent, teamleider, team):
    casus = make_casus(consulent)
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
    assert again.is_open


def test_open_with_a_non_consulent_is_refused(team, teamleider, make_user):
    huishouden, _ = make_huishouden()
    melder = make_user(Rol.MELDER)
    with pytest.raises(ValidationError) as exc:
        casus_open(huishouden=huishouden, aanspreekpunt=melder, team=team, by=teamleider)
    assert "consulent" in str(exc.value)
    assert not Casus.objects.exists()


def test_teamleider_assigns_an_aanspreekpunt(make_casus, teamleider, consulent):
    casus = make_casus(None)
    assert casus.status == Casus.Status.AANGEMELD and casus.aanspreekpunt is None
    casus = casus_assign_aanspreekpunt(casus=casus, consulent=consulent, by=teamleider)
    assert casus.aanspreekpunt == consulent
    assert casus.version == 2
    assert perms(consulent, casus) == {VIEW, CHANGE}


def test_a_consulent_of_the_team_may_take_an_unassigned_casus(make_casus, consulent):
    casus = make_casus(None)
    casus = casus_assign_aanspreekpunt(casus=casus, consulent=consulent, by=consulent)
    assert casus.aanspreekpunt == consulent


def test_a_consulent_of_another_team_may_not_take_it(make_casus, make_user, ander_team):
    casus = make_casus(None)
    buitenstaander = make_user(Rol.CONSULENT, team=ander_team)
    with pytest.raises(PermissionDenied):
        casus_assign_aanspreekpunt(casus=casus, consulent=buitenstaander, by=buitenstaander)
    casus.refresh_from_db()
    assert casus.aanspreekpunt is None


def test_a_second_aanspreekpunt_is_refused(make_casus, teamleider, consulent, collega):
    casus = make_casus(consulent)
    with pytest.raises(CasusConflict, match="al een aanspreekpunt"):
        casus_assign_aanspreekpunt(casus=casus, consulent=collega, by=teamleider)
    casus.refresh_from_db()
    assert casus.aanspreekpunt == consulent and casus.version == 1
    assert perms(collega, casus) == set()


def test_assigning_a_closed_casus_is_refused(make_casus, teamleider, consulent):
    casus = make_casus(None)
    Casus.objects.filter(pk=casus.pk).update(status=Casus.Status.AFGESLOTEN)
    with pytest.raises(CasusConflict, match="afgesloten"):
        casus_assign_aanspreekpunt(casus=casus, consulent=consulent, by=teamleider)
    assert perms(consulent, casus) == set()


def test_overdracht_moves_access_in_one_go(casus, consulent, collega):
    casus = casus_overdragen(casus=casus, naar=collega, notitie="Verlof", by=consulent)
    assert casus.aanspreekpunt == collega
    assert perms(collega, casus) == {VIEW, CHANGE}
    assert perms(consulent, casus) == set()
    entry = casus.tijdlijn.get(soort=TimelineEntry.Soort.OVERDRACHT)
    assert entry.tekst == "Verlof"


def test_overdracht_may_keep_the_old_aanspreekpunt_as_betrokkene(casus, consulent, collega):
    casus_overdragen(casus=casus, naar=collega, notitie="", by=consulent, blijft_betrokkene=True)
    assert perms(consulent, casus) == {VIEW}
    assert casus.betrokkenen.get(user=consulent).is_actief


def test_overdracht_to_a_non_consulent_is_refused(casus, consulent, make_user):
    teamleider = make_user(Rol.TEAMLEIDER)
    with pytest.raises(ValidationError):
        casus_overdragen(casus=casus, naar=teamleider, notitie="", by=consulent)
    casus.refresh_from_db()
    assert casus.aanspreekpunt == consulent and casus.version == 1
    assert perms(consulent, casus) == {VIEW, CHANGE}


def test_overdracht_by_an_outsider_is_refused(casus, consulent, collega):
    with pytest.raises(PermissionDenied):
        casus_overdragen(casus=casus, naar=collega, notitie="", by=collega)
    assert perms(collega, casus) == set()


def test_overdracht_by_the_teamleider_of_the_team(casus, teamleider, collega, consulent):
    casus_overdragen(casus=casus, naar=collega, notitie="", by=teamleider)
    assert perms(collega, casus) == {VIEW, CHANGE}
    assert perms(teamleider, casus) == set()


def test_overdracht_with_a_stale_version_is_refused(casus, consulent, collega):
    casus_touch(casus=casus, by=consulent)
    with pytest.raises(VersieConflict):
        casus_overdragen(casus=casus, naar=collega, notitie="", by=consulent, version=1)
    assert perms(collega, casus) == set()


def test_status_change_bumps_the_version(casus, consulent):
    casus = casus_set_status(
        casus=casus, status=Casus.Status.IN_BEHANDELING, version=1, by=consulent
    )
    assert casus.status == Casus.Status.IN_BEHANDELING and casus.version == 2


def test_stale_version_is_refused_and_nothing_is_overwritten(casus, consulent, collega):
    casus_set_status(casus=casus, status=Casus.Status.IN_BEHANDELING, version=1, by=consulent)
    with pytest.raises(VersieConflict, match="intussen gewijzigd"):
        casus_set_status(casus=casus, status=Casus.Status.MONITORING, version=1, by=consulent)
    casus.refresh_from_db()
    assert casus.status == Casus.Status.IN_BEHANDELING and casus.version == 2


def test_a_closed_casus_cannot_change_status(casus, consulent):
    closed = casus_set_status(
        casus=casus, status=Casus.Status.AFGESLOTEN, version=1, by=consulent, **AFSLUITING
    )
    assert closed.closed_at is not None
    with pytest.raises(CasusConflict):
        casus_set_status(
            casus=casus, status=Casus.Status.IN_BEHANDELING, version=closed.version, by=consulent
        )


def test_touch_unites_leefgebieden_and_raises_urgency(make_casus, consulent):
    casus = make_casus(consulent, leefgebieden=["wonen"])
    before = casus.last_activity_at
    casus = casus_touch(casus=casus, by=None, leefgebieden=["financien", "wonen"], urgent=True)
    assert casus.leefgebieden == ["financien", "wonen"]
    assert casus.urgent and casus.last_activity_at >= before and casus.version == 2


def test_timeline_text_is_sealed(casus, consulent):
    entry = timeline_add(
        casus=casus, soort=TimelineEntry.Soort.NOTITIE, by=consulent, tekst="Gesprek"
    )
    raw = TimelineEntry.objects.filter(pk=entry.pk).values_list("tekst", flat=True).get()
    assert b"Gesprek" not in raw.blob
    assert TimelineEntry.objects.get(pk=entry.pk).tekst == "Gesprek"


def test_trap_model_level_permission_and_superuser_open_nothing(casus, make_user):
    from django.contrib.auth.models import Permission

    user = make_user(Rol.CONSULENT)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="casussen", codename__in=["view_casus", "change_casus"]
        )
    )
    user.is_superuser = True
    user.save()
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("casussen.view_casus")  # the global permission really is there
    assert not casussen_for_user(user=user).exists()
    assert not casussen_for_user(user=user, need="change").exists()
    assert not policy.guardian_objects_for_user(
        user, "casussen.view_casus", Casus.objects.all()
    ).exists()


def test_inactive_user_sees_nothing(casus, consulent):
    consulent.is_active = False
    consulent.save()
    assert not casussen_for_user(user=consulent).exists()


def test_casus_opened_event_carries_ids_only(make_casus, consulent, team):
    from toegang.events.models import OutboxEvent

    casus = make_casus(consulent)
    event = OutboxEvent.objects.get(event_type="casus.geopend", aggregate_id=str(casus.pk))
    assert event.payload == {
        "huishouden_id": str(casus.huishouden_id),
        "aanspreekpunt_id": consulent.pk,
        "team_id": str(team.pk),
        "buurt": None,  # the household's buurt code for the monitor (none known here)
    }


def test_status_event_uses_the_new_version(casus, consulent):
    from toegang.events.models import OutboxEvent

    casus_set_status(casus=casus, status=Casus.Status.IN_BEHANDELING, version=1, by=consulent)
    event = OutboxEvent.objects.filter(event_type="casus.bijgewerkt").latest("pk")
    assert event.aggregate_version == 2


def test_services_are_reachable_from_the_package():
    from casussen import services
    from casussen.services.intake import intake_persoon

    assert services.intake_persoon is intake_persoon
    with pytest.raises(AttributeError):
        services.bestaat_niet  # noqa: B018
