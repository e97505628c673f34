"""When access to a casus ends, the user's open websocket loses its watch and its feed.

A real websocket over the ASGI app on the configured channel layer (in-memory by
default, Redis with ``REDIS_URL``). For each way access ends (a handover, a betrokkene
revoked, a betrokkene's term over, noodtoegang over): the socket watching the
casus gets ``live.revoked``, and a later event about the casus reaches the
aanspreekpunt but not the user who lost access.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from casussen import events as casus_events
from casussen.models import Betrokkene, Noodtoegang
from casussen.services.betrokkenen import (
    access_expire,
    betrokkene_add,
    betrokkene_revoke,
    noodtoegang_start,
)
from tests.toegang.events.helpers import (
    connect,
    fresh_channel_layer,
    receive_events,
    relay_until_idle,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
__all__ = ["fresh_channel_layer"]  # the fixture

make = database_sync_to_async


def _casus_changed(casus) -> None:
    with transaction.atomic():
        casus_events.emit(
            "casus.bijgewerkt", casus=casus, data={"onderdeel": "notitie", "object_id": "1"}
        )


async def _watching(user, casus):
    client = await connect(user)
    await client.send_json_to({"action": "watch", "aggregate_type": "casus", "id": str(casus.pk)})
    message = await client.receive_json_from(timeout=5)
    assert message["type"] == "presence", message
    return client


async def _revoked(client, casus) -> dict:
    while True:
        message = await client.receive_json_from(timeout=5)
        if message["type"] == "live.revoked":
            assert message["id"] == str(casus.pk)
            return message


async def _feed_stopped(casus, *, kept, lost) -> None:
    """An event about the casus after the revocation: the aanspreekpunt yes, the other no."""
    await make(_casus_changed)(casus)
    await make(relay_until_idle)()
    seen = []
    while "casus.bijgewerkt" not in seen:  # the revocation's own event may come first
        seen += [e["type"] for e in await receive_events(kept, 1)]
    while not await lost.receive_nothing(timeout=0.3):
        message = await lost.receive_json_from(timeout=1)
        assert message["type"] in ("presence", "live.revoked"), message


@pytest.fixture
def setup(make_casus, consulent, collega, teamleider):
    casus = make_casus(consulent)
    return casus, consulent, collega, teamleider


def _add_betrokkene(casus, user, by):
    return betrokkene_add(
        casus=casus,
        user=user,
        reden="Schuldhulp",
        eind_datum=timezone.localdate() + timedelta(days=30),
        by=by,
    )


async def test_a_revoked_betrokkene_loses_the_watch_and_the_feed(fresh_channel_layer, setup):
    casus, aanspreekpunt, collega, _ = setup
    betrokkene = await make(_add_betrokkene)(casus, collega, aanspreekpunt)
    await make(relay_until_idle)()  # what happened before the sockets opened is not at issue
    kept, lost = await connect(aanspreekpunt), await _watching(collega, casus)

    await make(betrokkene_revoke)(betrokkene=betrokkene, by=aanspreekpunt)

    await _revoked(lost, casus)
    await _feed_stopped(casus, kept=kept, lost=lost)


async def test_a_betrokkene_whose_term_ended_loses_the_watch_and_the_feed(
    fresh_channel_layer, setup
):
    casus, aanspreekpunt, collega, _ = setup
    betrokkene = await make(_add_betrokkene)(casus, collega, aanspreekpunt)
    await make(relay_until_idle)()  # what happened before the sockets opened is not at issue
    kept, lost = await connect(aanspreekpunt), await _watching(collega, casus)

    yesterday = timezone.localdate() - timedelta(days=1)
    await make(Betrokkene.objects.filter(pk=betrokkene.pk).update)(eind_datum=yesterday)
    assert await make(access_expire)() == 1

    await _revoked(lost, casus)
    await _feed_stopped(casus, kept=kept, lost=lost)


async def test_ended_noodtoegang_loses_the_watch_and_the_feed(
    fresh_channel_layer, make_casus, consulent, make_user, ander_team
):
    from toegang.roles import Rol

    casus = await make(make_casus)(consulent)
    buiten = await make(make_user)(Rol.CONSULENT, team=ander_team)
    grant = await make(noodtoegang_start)(casus_id=casus.pk, reden="Crisis in de nacht", by=buiten)
    await make(relay_until_idle)()
    kept, lost = await connect(consulent), await _watching(buiten, casus)

    await make(Noodtoegang.objects.filter(pk=grant.pk).update)(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert await make(access_expire)() == 1

    await _revoked(lost, casus)
    await _feed_stopped(casus, kept=kept, lost=lost)


def _overdracht_op_de_pagina(casus, teamleider, naar) -> None:
    """The teamleider hands the casus over on its page (the form's POST)."""
    from django.test import Client
    from django.urls import reverse

    from tests.auth import verified_login

    response = verified_login(Client(), teamleider).post(
        reverse("casussen:overdracht", args=[casus.pk]),
        {"naar": naar.pk, "notitie": "Overdracht wegens verlof"},
    )
    assert response.status_code == 302, response.status_code


async def test_a_handover_revokes_the_old_aanspreekpunts_watch_and_feed(fresh_channel_layer, setup):
    """The old aanspreekpunt's open casus page (its socket watching the casus) is told."""
    casus, aanspreekpunt, collega, teamleider = setup
    await make(relay_until_idle)()
    lost = await _watching(aanspreekpunt, casus)
    kept = await connect(collega)

    await make(_overdracht_op_de_pagina)(casus, teamleider, collega)

    await _revoked(lost, casus)
    await _feed_stopped(casus, kept=kept, lost=lost)
