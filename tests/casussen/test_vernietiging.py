"""Destruction lists: what reached its term, four-eyes decisions, resumable destruction."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest

from django.core.management import call_command
from django.utils import timezone

from audit.models import Actie, AuditRecord
from casussen.errors import CasusConflict
from casussen.models import Besluit, Casus, Gezinslid, Huishouden, Vernietigingsitem
from casussen.services import retention
from casussen.services.betrokkenen import noodtoegang_start
from casussen.services.casus import casus_set_status
from casussen.services.retention import (
    vernietiging_besluiten,
    vernietiging_uitvoeren,
    vernietigingslijst_opstellen,
)
from casussen.vernietiging_selectors import te_vernietigen
from signalen.models import Signaal
from signalen.services import signaal_receive
from tests.auth import verified_login
from tests.signalen import factories as signaal_factories
from toegang.roles import Rol


def _closed(casus, by, *, years_ago: float, grondslag: str = "wmo_2015") -> Casus:
    casus = casus_set_status(
        casus=casus,
        status="afgesloten",
        version=casus.version,
        by=by,
        afsluitreden="doelen_bereikt",
        grondslag=grondslag,
    )
    then = timezone.now() - timedelta(days=int(365.25 * years_ago))
    Casus.objects.filter(pk=casus.pk).update(closed_at=then, last_activity_at=then)
    return Casus.objects.get(pk=casus.pk)


@pytest.fixture
def privacy_officer(make_user):
    return make_user(Rol.PRIVACY_OFFICER)


@pytest.fixture
def archivaris(make_user):
    """A second privacy officer: the other pair of eyes."""
    return make_user(Rol.PRIVACY_OFFICER)


def test_the_list_holds_what_passed_its_term_by_grondslag(make_casus, consulent):
    wmo_oud = _closed(make_casus(consulent), consulent, years_ago=8)
    _closed(make_casus(consulent), consulent, years_ago=3)  # Wmo: 7 years, not yet
    jeugd = _closed(make_casus(consulent), consulent, years_ago=8, grondslag="jeugdwet")
    make_casus(consulent)  # open
    due = {k.huishouden_id for k in te_vernietigen()}
    assert due == {wmo_oud.huishouden_id}
    assert jeugd.huishouden_id not in due


def test_signals_without_a_casus_go_after_a_year_unless_still_waiting(team):
    melder = signaal_factories.melder_of(signaal_factories.inloophuis())
    oud = signaal_receive(melder=melder, data=signaal_factories.anoniem())
    wachtend = signaal_receive(melder=melder, data=signaal_factories.anoniem())
    twee_jaar = timezone.now() - timedelta(days=730)
    Signaal.objects.filter(pk=oud.pk).update(status="afgerond", status_gewijzigd_op=twee_jaar)
    Signaal.objects.filter(pk=wachtend.pk).update(status_gewijzigd_op=twee_jaar)
    due = {k.huishouden_id for k in te_vernietigen()}
    assert oud.huishouden_id in due and wachtend.huishouden_id not in due


def test_a_list_item_holds_ids_dates_and_terms_but_no_names(make_casus, consulent):
    casus = _closed(
        make_casus(consulent, leden=[{"achternaam": "Zwartkop"}]), consulent, years_ago=9
    )
    lijst = vernietigingslijst_opstellen()
    item = lijst.items.get()
    assert item.casus_ids == [str(casus.pk)] and item.grondslag == "wmo_2015"
    assert "7 jaar" in item.termijn and item.afsluiter_ids == [consulent.pk]
    values = " ".join(str(v) for v in Vernietigingsitem.objects.values().get().values())
    assert "Zwartkop" not in values
    assert vernietigingslijst_opstellen() is None  # already on a running list


def test_four_eyes_and_destruction_of_an_approved_item(
    make_casus, consulent, privacy_officer, archivaris
):
    casus = _closed(make_casus(consulent), consulent, years_ago=9)
    item = vernietigingslijst_opstellen(by=privacy_officer).items.get()
    with pytest.raises(CasusConflict, match="zelf opgesteld"):
        vernietiging_besluiten(item=item, goedkeuren=True, by=privacy_officer)
    with pytest.raises(CasusConflict, match="zelf afgesloten"):
        vernietiging_besluiten(item=item, goedkeuren=True, by=consulent)
    assert Vernietigingsitem.objects.get(pk=item.pk).besluit == Besluit.VOORGESTELD
    vernietiging_besluiten(item=item, goedkeuren=True, by=archivaris)
    assert vernietiging_uitvoeren() == 1
    item.refresh_from_db()
    assert item.besluit == Besluit.VERNIETIGD and item.vernietigd_op is not None
    huishouden = Huishouden.objects.get(pk=casus.huishouden_id)
    assert huishouden.is_vernietigd and not Gezinslid.objects.filter(huishouden=huishouden).exists()
    tombstone = AuditRecord.objects.get(actie=Actie.SHRED, huishouden_id=huishouden.pk)
    assert tombstone.user_id == archivaris.pk and f"item {item.pk}" in tombstone.reden


def test_withholding_needs_a_reason(make_casus, consulent, archivaris):
    _closed(make_casus(consulent), consulent, years_ago=9)
    item = vernietigingslijst_opstellen().items.get()
    with pytest.raises(Exception, match="aanhoudt"):
        vernietiging_besluiten(item=item, goedkeuren=False, by=archivaris)
    vernietiging_besluiten(item=item, goedkeuren=False, by=archivaris, toelichting="Lopend bezwaar")
    assert vernietiging_uitvoeren() == 0
    assert vernietigingslijst_opstellen() is None  # withheld by a person: not proposed again


def test_an_open_noodtoegang_holds_the_item_back(make_casus, consulent, make_user, archivaris):
    casus = _closed(make_casus(consulent), consulent, years_ago=9)
    item = vernietigingslijst_opstellen().items.get()
    vernietiging_besluiten(item=item, goedkeuren=True, by=archivaris)
    noodtoegang_start(casus_id=casus.pk, reden="Crisis", by=make_user(Rol.CONSULENT))
    assert vernietiging_uitvoeren() == 0
    item.refresh_from_db()
    assert item.besluit == Besluit.AANGEHOUDEN and "noodtoegang" in item.toelichting
    assert not Huishouden.objects.get(pk=casus.huishouden_id).is_vernietigd


def test_an_interrupted_run_resumes_without_destroying_twice(
    make_casus, consulent, archivaris, monkeypatch
):
    for _ in range(3):
        _closed(make_casus(consulent), consulent, years_ago=9)
    items = list(vernietigingslijst_opstellen().items.order_by("id"))
    for item in items:
        vernietiging_besluiten(item=item, goedkeuren=True, by=archivaris)
    real = retention.destroy_household
    calls = []

    def crash_on_second(**kwargs):
        calls.append(kwargs["huishouden"])
        if len(calls) == 2:
            real(**kwargs)  # the work is done in the transaction ...
            raise SystemExit("stroomstoring")  # ... which never commits
        return real(**kwargs)

    monkeypatch.setattr(retention, "destroy_household", crash_on_second)
    with pytest.raises(SystemExit):
        vernietiging_uitvoeren()
    monkeypatch.undo()
    states = [Vernietigingsitem.objects.get(pk=i.pk).besluit for i in items]
    assert states == [Besluit.VERNIETIGD, Besluit.GOEDGEKEURD, Besluit.GOEDGEKEURD]
    second = Huishouden.objects.get(pk=items[1].huishouden_id)
    assert not second.is_vernietigd and second.gezinsleden.get().achternaam  # whole, readable
    assert vernietiging_uitvoeren() == 2
    assert AuditRecord.objects.filter(actie=Actie.SHRED).count() == 3
    assert vernietiging_uitvoeren() == 0


def test_dry_run_shows_what_would_go_and_changes_nothing(make_casus, consulent):
    casus = _closed(make_casus(consulent), consulent, years_ago=9)
    out = StringIO()
    call_command("vernietiging", "--dry-run", stdout=out)
    assert str(casus.huishouden_id) in out.getvalue()
    assert not Vernietigingsitem.objects.exists()
    assert not Huishouden.objects.get(pk=casus.huishouden_id).is_vernietigd


def test_privacy_officer_page_lists_and_approves(
    client, make_casus, consulent, privacy_officer, archivaris
):
    casus = _closed(
        make_casus(consulent, leden=[{"achternaam": "Zwartkop"}]), consulent, years_ago=9
    )
    verified_login(client, privacy_officer)
    assert client.post("/casussen/vernietiging/opstellen/").status_code == 302
    item = Vernietigingsitem.objects.get()
    page = client.get("/casussen/vernietiging/").content.decode()
    assert str(casus.huishouden_id)[:8] in page and "Zwartkop" not in page
    refused = client.post(f"/casussen/vernietiging/{item.pk}/besluit/", {"besluit": "goedkeuren"})
    assert refused.status_code == 409 and "zelf opgesteld" in refused.content.decode()
    verified_login(client, archivaris)
    ok = client.post(f"/casussen/vernietiging/{item.pk}/besluit/", {"besluit": "goedkeuren"})
    assert ok.status_code == 302
    assert Vernietigingsitem.objects.get().besluit == Besluit.GOEDGEKEURD


def test_retention_table_page_states_sources_for_the_archivist(client, make_user):
    verified_login(client, make_user(Rol.BEHEERDER))
    page = client.get("/casussen/bewaartermijnen/").content.decode()
    assert "Jeugdwet art. 7.3.8" in page and "NEN 7513" in page
    assert "te controleren door de archivaris" in page


def test_the_demo_has_casussen_past_their_term_on_a_destruction_list(db):
    call_command("demo", stdout=StringIO())
    items = Vernietigingsitem.objects.filter(besluit=Besluit.VOORGESTELD)
    assert sorted(items.values_list("grondslag", flat=True)) == [
        "geen_wettelijke_taak",
        "participatiewet",
        "wmo_2015",
    ]
    call_command("demo", stdout=StringIO())
    assert Vernietigingsitem.objects.count() == 3


def test_a_destroyed_household_reads_as_destroyed_on_the_page_and_in_the_api(
    client, make_casus, consulent
):
    casus = _closed(
        make_casus(consulent, leden=[{"achternaam": "Zwartkop"}]), consulent, years_ago=9
    )
    retention.destroy_household(huishouden=casus.huishouden, by=None, reden="x")
    verified_login(client, consulent)
    page = client.get(f"/casussen/{casus.pk}/")
    assert page.status_code == 200
    assert "De gegevens van dit huishouden zijn vernietigd." in page.content.decode()
    assert "Zwartkop" not in page.content.decode()
    body = client.get(f"/api/v1/casussen/{casus.pk}").json()
    assert body["huishouden"]["vernietigd"] is True and body["huishouden"]["gezinsleden"] == []


def test_a_casus_reopened_after_approval_is_not_destroyed(make_casus, consulent, archivaris):
    casus = _closed(make_casus(consulent), consulent, years_ago=9)
    item = vernietigingslijst_opstellen().items.get()
    vernietiging_besluiten(item=item, goedkeuren=True, by=archivaris)
    Casus.objects.filter(pk=casus.pk).update(status=Casus.Status.IN_BEHANDELING)
    assert vernietiging_uitvoeren() == 0
    item.refresh_from_db()
    assert item.besluit == Besluit.AANGEHOUDEN and "weer open" in item.toelichting
    assert not Huishouden.objects.get(pk=casus.huishouden_id).is_vernietigd
