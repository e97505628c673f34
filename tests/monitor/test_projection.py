"""The read model: fed by the outbox events through the real services, idempotent per
event id, rebuilt from the journal with the same figures, and free of personal data."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from django.core.management import call_command
from django.utils import timezone

from casussen.models import Casus, Gezinslid
from casussen.plan.services.acties import actie_add
from casussen.plan.services.doelen import doel_add
from casussen.plan.services.metingen import meting_record
from casussen.plan.services.plan import plan_create
from casussen.services.casus import casus_set_status
from casussen.services.retention import destroy_household
from monitor import projection, tellers
from monitor.figures import Kwartaal, kwartaal_cijfers
from monitor.models import (
    ActieFeit,
    CasusFeit,
    Gebeurtenis,
    MetingFeit,
    Restbijdrage,
    SignaalFeit,
    Teller,
)
from signalen.services import signaal_assign, signaal_receive
from tests.signalen import factories
from toegang.events.models import OutboxEvent

SCORES = {
    "lichaamsfuncties": 4,
    "mentaal_welbevinden": 3,
    "zingeving": 5,
    "kwaliteit_van_leven": 4,
    "meedoen": 2,
    "dagelijks_functioneren": 6,
}


@pytest.fixture
def alles_zichtbaar(settings):
    settings.MONITOR_DREMPEL = 1


def _sluiten(casus, consulent, afsluitreden="doelen_bereikt"):
    casus = Casus.objects.get(pk=casus.pk)
    casus_set_status(
        casus=casus,
        status="afgesloten",
        version=casus.version,
        by=consulent,
        afsluitreden=afsluitreden,
        grondslag="wmo_2015",
    )


def _werk(melder, huisarts, teamleider, consulent):
    """Four signals in two buurten; two become casussen with a plan, one is closed."""
    a = signaal_receive(
        melder=melder,
        data=factories.body(inwoner={"achternaam": "Aa", "postcode": "3881AB", "huisnummer": "3"}),
    )
    b = signaal_receive(
        melder=huisarts,
        data=factories.body(
            inwoner={"achternaam": "Bee", "postcode": "3885XY", "huisnummer": "1"},
            leefgebieden=["wonen"],
        ),
    )
    signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
    signaal_receive(melder=melder, data=factories.warm(buurt="Dorpskern"))
    a = signaal_assign(signaal=a, aanspreekpunt=consulent, by=teamleider)
    b = signaal_assign(signaal=b, aanspreekpunt=consulent, by=teamleider)
    casus = Casus.objects.get(pk=a.casus_id)
    plan = plan_create(casus=casus, startdatum=timezone.localdate(), by=consulent)
    lid = Gezinslid.objects.filter(huishouden_id=casus.huishouden_id).first()
    doel = doel_add(
        plan=plan,
        casus=casus,
        by=consulent,
        tekst="Rust in de financiën",
        dimensies=["meedoen"],
        gezinsleden=[lid.pk],
    )
    actie_add(
        doel=doel,
        casus=casus,
        by=consulent,
        omschrijving="Buurman helpt met post",
        eigenaar_soort="netwerk",
        deadline=timezone.localdate() + timedelta(days=9),
        trede=1,
    )
    actie_add(
        doel=doel,
        casus=casus,
        by=consulent,
        omschrijving="Naar het Financieel Café",
        eigenaar_soort="inwoner",
        deadline=timezone.localdate() + timedelta(days=9),
        trede=2,
    )
    vandaag = timezone.localdate()
    meting_record(
        casus=casus,
        by=consulent,
        soort="uitvraag",
        datum=vandaag,
        scores=SCORES,
    )
    meting_record(
        casus=casus,
        by=consulent,
        soort="evaluatie",
        datum=vandaag,
        scores={**SCORES, "meedoen": 5, "zingeving": 4},
    )
    other = Casus.objects.get(pk=b.casus_id)
    _sluiten(other, consulent, "verhuisd")
    return casus, other


def _casus_feiten():
    return sorted(CasusFeit.objects.values_list(*(f.name for f in CasusFeit._meta.fields)))


def _tabel(cijfers, naam):
    return {r.code: r.waarde for r in cijfers.tabellen[naam].rijen}


def test_the_projection_follows_the_services(
    alles_zichtbaar, melder, huisarts, teamleider, consulent
):
    _casus, other = _werk(melder, huisarts, teamleider, consulent)
    assert projection.drain() > 0
    cijfers = kwartaal_cijfers(Kwartaal.van(timezone.localdate()))
    signalen = _tabel(cijfers, "signalen")
    assert signalen["BU02730001"] == 2 and signalen["BU02730301"] == 2 and signalen["onbekend"] == 0
    assert signalen["WK027300"] == 2 and signalen["WK027303"] == 2 and signalen["totaal"] == 4
    assert _tabel(cijfers, "soort") == {"huisarts": 1, "inloophuis": 3, "totaal": 4}
    assert _tabel(cijfers, "casus") == {"ja": 2, "nee": 2, "totaal": 4}
    assert _tabel(cijfers, "nieuw")["totaal"] == 2
    assert _tabel(cijfers, "gesloten")["totaal"] == 1
    assert _tabel(cijfers, "open")["totaal"] == 1
    assert _tabel(cijfers, "afsluitreden")["verhuisd"] == 1
    assert _tabel(cijfers, "trede") == {"1": 1, "2": 1, "3": 0, "4": 0, "totaal": 2}
    assert _tabel(cijfers, "plannen")["licht"] == 1
    assert cijfers.gezondheid["meedoen"] == 3.0 and cijfers.gezondheid["zingeving"] == -1.0
    assert _tabel(cijfers, "gezondheid:meedoen") == {
        "beter": 1,
        "gelijk": 0,
        "slechter": 0,
        "totaal": 1,
    }
    assert cijfers.mediaan_aanspreekpunt is not None and cijfers.mediaan_gesprek is not None
    # A closure reason corrected afterwards, and a reopened casus, follow too.
    assert CasusFeit.objects.get(casus_id=other.pk).afsluitreden == "verhuisd"


def test_an_event_that_comes_again_is_applied_once(alles_zichtbaar, melder):
    signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
    projection.drain()
    OutboxEvent.objects.update(projected_at=None)  # e.g. restored from a backup
    projection.drain()
    assert SignaalFeit.objects.count() == 1
    assert (
        Gebeurtenis.objects.count()
        == OutboxEvent.objects.filter(event_type__in=projection.HANDLERS).count()
    )
    assert not OutboxEvent.objects.filter(projected_at__isnull=True).exists()


def test_rebuild_gives_the_same_figures_as_the_live_projection(
    melder, huisarts, teamleider, consulent
):
    _werk(melder, huisarts, teamleider, consulent)
    for _i in range(6):
        signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
    projection.drain()
    q = Kwartaal.van(timezone.localdate())
    live = dataclasses.asdict(kwartaal_cijfers(q))
    facts = _casus_feiten()
    call_command("monitor_rebuild")
    assert dataclasses.asdict(kwartaal_cijfers(q)) == live
    assert _casus_feiten() == facts


def test_the_worker_job_is_registered_in_a_lane_of_its_own():
    from toegang import worker

    job = next(j for j in worker.jobs() if j.name == "monitor_projectie")
    assert job.lane == "monitor"


def test_a_destroyed_household_leaves_its_counts_but_none_of_its_rows(
    alles_zichtbaar, melder, huisarts, teamleider, consulent
):
    casus, _other = _werk(melder, huisarts, teamleider, consulent)
    _sluiten(casus, consulent)
    projection.drain()
    signaal_ids = [
        str(s) for s in SignaalFeit.objects.filter(casus_id=casus.pk).values_list("pk", flat=True)
    ]
    assert signaal_ids and ActieFeit.objects.filter(casus_id=casus.pk).exists()
    q = Kwartaal.van(timezone.localdate())
    voor = kwartaal_cijfers(q)

    destroy_household(huishouden=casus.huishouden, by=None, reden="bewaartermijn verstreken")
    projection.drain()

    for model in (CasusFeit, ActieFeit, MetingFeit, SignaalFeit):
        assert not model.objects.filter(casus_id=casus.pk).exists(), model
    assert not SignaalFeit.objects.filter(signaal_id__in=signaal_ids).exists()
    assert not Gebeurtenis.objects.filter(aggregate_id__in=[str(casus.pk), *signaal_ids]).exists()
    assert not Restbijdrage.objects.filter(code__in=[str(casus.pk), *signaal_ids]).exists()
    na = kwartaal_cijfers(q)
    assert dataclasses.asdict(na)["tabellen"] == dataclasses.asdict(voor)["tabellen"]
    assert na.gezondheid == voor.gezondheid


def test_rebuild_after_a_destruction_gives_the_same_figures_as_the_live_projection(
    melder, huisarts, teamleider, consulent
):
    casus, other = _werk(melder, huisarts, teamleider, consulent)
    for _i in range(6):
        signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
    projection.drain()
    destroy_household(huishouden=casus.huishouden, by=None, reden="verzoek tot wissing")
    destroy_household(huishouden=other.huishouden, by=None, reden="bewaartermijn verstreken")
    projection.drain()
    q = Kwartaal.van(timezone.localdate())
    live = dataclasses.asdict(kwartaal_cijfers(q))
    assert CasusFeit.objects.count() == 0 and Restbijdrage.objects.exists()
    call_command("monitor_rebuild")
    assert dataclasses.asdict(kwartaal_cijfers(q)) == live
    assert CasusFeit.objects.count() == 0


def test_a_round_of_received_signals_takes_the_same_few_queries_for_one_or_many(
    melder, django_assert_max_num_queries
):
    """The lock (PostgreSQL), the rows, the journal check, one journal insert, the signals'
    facts before, one upsert of the facts, their facts after, one upsert of the counters,
    the mark; and here a savepoint and its release (the test's transaction is around it).
    Nothing per event."""
    for n in (1, 12):
        for _i in range(n):
            signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
        with django_assert_max_num_queries(11):
            assert projection.consume_round() == n
    assert SignaalFeit.objects.count() == 13
    assert Gebeurtenis.objects.count() == 13


def test_a_run_of_received_signals_gives_the_facts_of_one_at_a_time(
    melder, huisarts, teamleider, consulent
):
    """Received signals, some on a casus, applied as one run (live) and one by one."""
    _werk(melder, huisarts, teamleider, consulent)
    for _i in range(4):
        signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
    projection.drain()
    batched = (
        sorted(SignaalFeit.objects.values_list(*(f.name for f in SignaalFeit._meta.fields))),
        _casus_feiten(),
    )
    for model in (SignaalFeit, CasusFeit):
        model.objects.all().delete()
    for entry in Gebeurtenis.objects.order_by("id"):
        projection.apply(entry)
    assert SignaalFeit.objects.count() == 8
    assert (
        sorted(SignaalFeit.objects.values_list(*(f.name for f in SignaalFeit._meta.fields))),
        _casus_feiten(),
    ) == batched


def test_a_destroyed_household_takes_its_signals_that_never_became_a_casus_along(
    alles_zichtbaar, melder
):
    signaal = signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
    signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
    projection.drain()
    q = Kwartaal.van(timezone.localdate())
    voor = kwartaal_cijfers(q)

    destroy_household(huishouden=signaal.huishouden, by=None, reden="bewaartermijn verstreken")
    projection.drain()

    assert not SignaalFeit.objects.filter(signaal_id=signaal.pk).exists()
    assert SignaalFeit.objects.count() == 1
    assert not Gebeurtenis.objects.filter(aggregate_id=str(signaal.pk)).exists()
    na = kwartaal_cijfers(q)
    assert dataclasses.asdict(na)["tabellen"] == dataclasses.asdict(voor)["tabellen"]
    assert _tabel(na, "signalen")["BU02730301"] == 2
    call_command("monitor_rebuild")
    assert dataclasses.asdict(kwartaal_cijfers(q))["tabellen"] == dataclasses.asdict(na)["tabellen"]


def test_the_figures_come_from_the_counters_alone(melder, huisarts, teamleider, consulent):
    """A quarter reads its counters, not the facts: without the fact rows it is the same."""
    _werk(melder, huisarts, teamleider, consulent)
    projection.drain()
    q = Kwartaal.van(timezone.localdate())
    live = dataclasses.asdict(kwartaal_cijfers(q))
    for model in (SignaalFeit, CasusFeit, ActieFeit, MetingFeit):
        model.objects.all().delete()
    projection.GENERATIE[0] += 1  # a new state: nothing cached
    assert dataclasses.asdict(kwartaal_cijfers(q)) == live


def test_new_signals_leave_an_earlier_quarter_cached_and_change_this_one(
    alles_zichtbaar, melder, monkeypatch
):
    import monitor.figures as figures

    signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
    projection.drain()
    q = Kwartaal.van(timezone.localdate())
    kwartaal_cijfers(q.vorige())
    voor = _tabel(kwartaal_cijfers(q), "signalen")["totaal"]

    signaal_receive(melder=melder, data=factories.anoniem(buurt="Huinen"))
    projection.drain()

    assert _tabel(kwartaal_cijfers(q), "signalen")["totaal"] == voor + 1
    monkeypatch.setattr(figures, "_kwartaal_cijfers", lambda *a: pytest.fail("recomputed"))
    kwartaal_cijfers(q.vorige())


def test_rebuild_if_needed_fills_missing_counters_and_leaves_present_ones(
    melder, huisarts, teamleider, consulent
):
    _werk(melder, huisarts, teamleider, consulent)
    projection.drain()
    live = _tellers()
    assert live
    Teller.objects.all().delete()  # as after the migration that introduced the counters
    call_command("monitor_rebuild", "--als-nodig")
    assert _tellers() == live
    generatie = projection.GENERATIE[0]
    call_command("monitor_rebuild", "--als-nodig")
    assert projection.GENERATIE[0] == generatie  # counters present: nothing rebuilt


def _tellers() -> dict[tuple[str, str, str], int]:
    return {
        (t.kwartaal, t.maat, t.code): t.aantal
        for t in Teller.objects.exclude(maat=tellers.VERSIE)
        if t.aantal
    }
