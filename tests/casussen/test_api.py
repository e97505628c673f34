"""The casus API: visibility, keyset pages without N+1, writes, problem+json errors."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from django.utils import timezone

from audit.models import Actie, AuditRecord
from casussen.models import Betrokkene, Casus
from casussen.services.casus import casus_touch
from tests.auth import verified_login
from toegang.roles import Rol

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
#: A casus over the API with a session: session and user, the casus with its rights, its
#: gezinsleden, its betrokkenen, a running noodtoegang, the user's organisatie (named in
#: the audit record) and the audit record.
QUERIES_DETAIL = 8


@pytest.fixture
def api(client):
    def as_user(user):
        verified_login(client, user)
        return client

    return as_user


def test_list_shows_only_visible_casussen_without_count(api, make_casus, consulent, collega):
    mine = make_casus(consulent)
    make_casus(collega)
    body = api(consulent).get("/api/v1/casussen").json()
    assert [r["id"] for r in body["results"]] == [str(mine.pk)]
    assert "count" not in body and body["next"] is None
    record = AuditRecord.objects.filter(actie=Actie.READ, user_id=consulent.pk).latest("pk")
    assert record.object_ids == [str(mine.pk)]


def test_list_pages_by_cursor_and_never_repeats(api, make_casus, consulent, monkeypatch):
    from casussen import selectors

    made = {str(make_casus(consulent).pk) for _ in range(5)}
    Casus.objects.update(last_activity_at=timezone.now())  # ties: the id breaks them
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    client = api(consulent)
    seen: list[str] = []
    pages = 0
    url = "/api/v1/casussen"
    while url:
        body = client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert len(seen) == 5 and set(seen) == made


def test_list_query_count_does_not_grow_with_the_page(
    api, make_casus, consulent, django_assert_max_num_queries
):
    client = api(consulent)
    make_casus(consulent)
    # Session and user, the page, the user's organisatie (named in the audit record), the
    # audit record, and the session's bookkeeping on its first request (three statements).
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/casussen")
    for _ in range(6):
        make_casus(consulent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/v1/casussen").json()
    assert len(body["results"]) == 7


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "UTC"])
def test_a_list_row_is_what_the_list_serializer_makes(make_casus, make_user, consulent, zone):
    from casussen.api.serializers import CasusLijstSerializer
    from casussen.models import CasusUserObjectPermission, Gezinslid, Huishouden
    from casussen.selectors import Filters, casussen_page, casussen_rijen
    from toegang.crypto.models import DataKey
    from toegang.policy import grant

    make_casus(consulent, leefgebieden=("wonen", "financien"), urgent=True)
    make_casus(consulent, leden=[{"achternaam": "Eerst"}, {"achternaam": "Later"}])
    zonder_naam = make_user(Rol.CONSULENT, first_name="", last_name="")
    unassigned, leeg, vernietigd, sleutel_weg = (make_casus(consulent) for _ in range(4))
    for casus in (make_casus(zonder_naam), unassigned):  # not theirs, but seen
        grant(
            CasusUserObjectPermission,
            user_id=consulent.pk,
            object_id=casus.pk,
            codenames=["view_casus"],
        )
    Casus.objects.filter(pk=unassigned.pk).update(aanspreekpunt=None, status="aangemeld")
    Gezinslid.objects.filter(huishouden_id=leeg.huishouden_id).delete()
    Huishouden.objects.filter(pk=vernietigd.huishouden_id).update(shredded_at=timezone.now())
    DataKey.objects.filter(pk=sleutel_weg.huishouden.data_key_id).update(
        destroyed_at=timezone.now()
    )
    filters = Filters(status="alle")
    casussen = {c.pk: c for c in casussen_page(user=consulent, filters=filters).items}
    rijen = casussen_rijen(user=consulent, filters=filters).items
    assert [r.id for r in rijen] == list(casussen) and len(rijen) == 7
    with timezone.override(zone):
        current = timezone.get_current_timezone()
        rows = [CasusLijstSerializer.rij(rij, current) for rij in rijen]
        assert rows == [CasusLijstSerializer(casussen[rij.id]).data for rij in rijen]
    naam = {row["id"]: row["naam"] for row in rows}
    assert naam[str(leeg.pk)] is None and naam[str(vernietigd.pk)] is None
    assert naam[str(sleutel_weg.pk)] == "gegevens vernietigd"
    assert "Eerst" in naam.values()
    aanspreekpunten = [row["aanspreekpunt"] for row in rows]
    assert None in aanspreekpunten
    assert {"id": zonder_naam.pk, "naam": zonder_naam.username} in aanspreekpunten


def test_a_list_without_parameters_is_the_list_with_the_defaults(api, make_casus, consulent):
    make_casus(consulent, urgent=True)
    make_casus(consulent)
    client = api(consulent)
    plain = client.get("/api/v1/casussen").json()
    explicit = client.get("/api/v1/casussen?sort=-activiteit&status=open&urgent=false").json()
    assert plain == explicit and len(plain["results"]) == 2
    assert client.get("/api/v1/casussen?sorteer=urgent").status_code == 400  # still strict


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "UTC"])
def test_a_casus_page_is_what_the_detail_serializer_makes(
    make_casus, make_user, consulent, collega, zone
):
    from casussen.api.serializers import CasusDetailSerializer
    from casussen.models import Noodtoegang
    from casussen.selectors import casus_detail_for_user
    from casussen.services.betrokkenen import betrokkene_add

    casus = make_casus(consulent, leden=[{"achternaam": "Eerst"}, {"achternaam": "Later"}])
    for einde, user in ((3, collega), (-1, make_user(Rol.CONSULENT, username="derde"))):
        betrokkene = betrokkene_add(
            casus=casus,
            user=user,
            by=consulent,
            reden="Schuldhulpverlening",
            eind_datum=timezone.localdate() + timedelta(days=3),
        )
        Betrokkene.objects.filter(pk=betrokkene.pk).update(
            eind_datum=timezone.localdate() + timedelta(days=einde)
        )
    Casus.objects.filter(pk=casus.pk).update(closed_at=timezone.now())
    leeg = make_casus(consulent, leden=[])
    Noodtoegang.objects.create(
        casus=leeg, user=consulent, reden="Spoed", expires_at=timezone.now() + timedelta(hours=1)
    )
    pages = [casus_detail_for_user(user=consulent, casus_id=c.pk) for c in (casus, leeg)]
    vernietigd = casus_detail_for_user(user=consulent, casus_id=casus.pk)
    vernietigd.huishouden.shredded_at = timezone.now()
    pages.append(vernietigd)
    with timezone.override(zone):
        for page in pages:
            assert CasusDetailSerializer.weergave(page) == CasusDetailSerializer(page).data
    body = CasusDetailSerializer.weergave(pages[0])
    assert len(body["betrokkenen"]) == 2
    assert body["naam"] == "Eerst" and body["closed_at"] is not None
    assert CasusDetailSerializer.weergave(pages[1])["noodtoegang"] is True


def test_list_filters_on_leefgebied_and_urgency(api, make_casus, consulent):
    wonen = make_casus(consulent, leefgebieden=["wonen"], urgent=True)
    make_casus(consulent, leefgebieden=["financien"])
    client = api(consulent)
    ids = [r["id"] for r in client.get("/api/v1/casussen?leefgebied=wonen").json()["results"]]
    assert ids == [str(wonen.pk)]
    ids = [r["id"] for r in client.get("/api/v1/casussen?urgent=true").json()["results"]]
    assert ids == [str(wonen.pk)]


def test_sort_on_last_activity(api, make_casus, consulent):
    old, new = make_casus(consulent), make_casus(consulent)
    Casus.objects.filter(pk=old.pk).update(last_activity_at=timezone.now() - timedelta(days=3))
    casus_touch(casus=new, by=None)
    ids = [
        r["id"] for r in api(consulent).get("/api/v1/casussen?sort=activiteit").json()["results"]
    ]
    assert ids == [str(old.pk), str(new.pk)]


def test_bad_cursor_is_a_problem(api, consulent):
    response = api(consulent).get("/api/v1/casussen?cursor=rommel")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM


def test_detail_of_a_foreign_casus_is_404_like_a_missing_one(api, make_casus, consulent, collega):
    foreign = make_casus(collega)
    client = api(consulent)
    a = client.get(f"/api/v1/casussen/{foreign.pk}")
    b = client.get(f"/api/v1/casussen/{uuid.uuid4()}")
    assert a.status_code == b.status_code == 404
    assert a.json() == {**b.json(), "instance": a.json().get("instance")}


def test_detail_shows_household_and_is_audited(api, casus, consulent):
    body = api(consulent).get(f"/api/v1/casussen/{casus.pk}").json()
    lid = casus.huishouden.gezinsleden.get()
    assert body["huishouden"]["gezinsleden"][0]["achternaam"] == lid.achternaam
    assert "bsn" not in body["huishouden"]["gezinsleden"][0]
    record = AuditRecord.objects.filter(actie=Actie.READ, object_id=str(casus.pk)).latest("pk")
    assert record.persoon_ids == [str(lid.pk)] and record.noodtoegang is False


def test_detail_query_count_does_not_grow_with_the_household(
    api, make_casus, consulent, django_assert_max_num_queries
):
    client = api(consulent)
    klein = make_casus(consulent)
    groot = make_casus(consulent, leden=[{"achternaam": f"Lid {n}"} for n in range(5)])
    client.get(f"/api/v1/casussen/{klein.pk}")  # the session's own first-request work
    with django_assert_max_num_queries(QUERIES_DETAIL) as few:
        client.get(f"/api/v1/casussen/{klein.pk}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(f"/api/v1/casussen/{groot.pk}").json()
    assert len(body["huishouden"]["gezinsleden"]) == 5


def test_trap_model_level_permission_opens_nothing_over_the_api(api, casus, make_user):
    from django.contrib.auth.models import Permission

    user = make_user(Rol.CONSULENT)
    user.user_permissions.add(Permission.objects.get(codename="view_casus"))
    client = api(user)
    assert client.get("/api/v1/casussen").json()["results"] == []
    assert client.get(f"/api/v1/casussen/{casus.pk}").status_code == 404


def test_other_roles_may_not_list(api, make_user):
    for rol in (Rol.MELDER, Rol.PRIVACY_OFFICER, Rol.BELEIDSADVISEUR, Rol.TEAMLEIDER):
        response = api(make_user(rol)).get("/api/v1/casussen")
        assert response.status_code == 403 and response["Content-Type"] == PROBLEM


def test_status_with_stale_version_is_412_and_changes_nothing(api, casus, consulent):
    client = api(consulent)
    ok = client.post(
        f"/api/v1/casussen/{casus.pk}/status",
        {"status": "in_behandeling", "version": 1},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.post(
        f"/api/v1/casussen/{casus.pk}/status",
        {"status": "monitoring", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 412 and stale["Content-Type"] == PROBLEM
    assert "gewijzigd" in stale.json()["detail"]
    casus.refresh_from_db()
    assert casus.status == "in_behandeling"


def test_assign_a_second_aanspreekpunt_is_409(api, casus, teamleider, collega):
    response = api(teamleider).post(
        f"/api/v1/casussen/{casus.pk}/aanspreekpunt",
        {"aanspreekpunt": collega.pk},
        content_type="application/json",
    )
    assert response.status_code == 409 and "overdracht" in response.json()["detail"]


def test_assign_in_another_team_is_404(api, make_casus, make_user, ander_team, collega):
    casus = make_casus(None, casus_team=ander_team)
    response = api(make_user(Rol.TEAMLEIDER)).post(
        f"/api/v1/casussen/{casus.pk}/aanspreekpunt",
        {"aanspreekpunt": collega.pk},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_overdracht_over_the_api(api, casus, consulent, collega):
    response = api(consulent).post(
        f"/api/v1/casussen/{casus.pk}/overdracht",
        {"naar": collega.pk, "notitie": "Verlof", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200
    casus.refresh_from_db()
    assert casus.aanspreekpunt == collega


def test_overdracht_to_a_non_consulent_is_400(api, casus, consulent, make_user):
    response = api(consulent).post(
        f"/api/v1/casussen/{casus.pk}/overdracht",
        {"naar": make_user(Rol.MELDER).pk, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["invalid-params"][0]["name"] == "naar"


def test_betrokkene_add_and_revoke_over_the_api(api, casus, consulent, collega):
    client = api(consulent)
    url = f"/api/v1/casussen/{casus.pk}/betrokkenen"
    eind = (timezone.localdate() + timedelta(days=400)).isoformat()
    bad = client.post(url, {"user": collega.pk, "reden": "Schulden", "eind_datum": eind},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and bad["Content-Type"] == PROBLEM
    eind = (timezone.localdate() + timedelta(days=30)).isoformat()
    made = client.post(url, {"user": collega.pk, "reden": "Schulden", "eind_datum": eind},
                       content_type="application/json")  # fmt: skip
    assert made.status_code == 201 and made.json()["reden"] == "Schulden"
    assert api(collega).get(f"/api/v1/casussen/{casus.pk}").status_code == 200
    client = api(consulent)
    gone = client.delete(f"{url}/{made.json()['id']}")
    assert gone.status_code == 204
    assert api(collega).get(f"/api/v1/casussen/{casus.pk}").status_code == 404


def test_noodtoegang_over_the_api(api, casus, collega):
    client = api(collega)
    url = f"/api/v1/casussen/{casus.pk}/noodtoegang"
    empty = client.post(url, {"reden": ""}, content_type="application/json")
    assert empty.status_code == 400
    assert client.get(f"/api/v1/casussen/{casus.pk}").status_code == 404
    made = client.post(url, {"reden": "Acuut"}, content_type="application/json")
    assert made.status_code == 201
    body = client.get(f"/api/v1/casussen/{casus.pk}").json()
    assert body["noodtoegang"] is True
    unknown = client.post(f"/api/v1/casussen/{uuid.uuid4()}/noodtoegang", {"reden": "Acuut"},
                          content_type="application/json")  # fmt: skip
    assert unknown.status_code == 404


def test_schema_lists_the_casus_endpoints(client, consulent):
    verified_login(client, consulent)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/casussen", "/casussen/{casus_id}", "/casussen/{casus_id}/overdracht",
                 "/casussen/{casus_id}/betrokkenen", "/casussen/{casus_id}/noodtoegang",
                 "/casussen/{casus_id}/aanspreekpunt", "/casussen/{casus_id}/status"):  # fmt: skip
        assert f"/api/v1{path}" in schema["paths"] or path in schema["paths"]
