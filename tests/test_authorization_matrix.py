"""The generated authorisation test: every URL pattern × every role × someone else's object.

``MATRIX`` is the access policy of each URL *name*, readable on its own. The test
walks every pattern of the root urlconf; a pattern without an entry fails, so a
new endpoint cannot ship without a decision about who may reach it. For each
pattern and each role (and anonymous) it asserts the refusal:

* a role that may not use the page/endpoint at all: 403 (or 404, or the login
  redirect for anonymous users and the admin);
* a role that may use it, on an object belonging to someone else (a casus of
  another team with another aanspreekpunt): 404, exactly like a missing object.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.utils import timezone

from tests.auth import verified_login
from toegang.roles import Rol

pytestmark = pytest.mark.django_db

ALL_ROLES = frozenset(Rol.values)
ANON = "anoniem"


@dataclass(frozen=True)
class Access:
    """Who may reach a URL name, with which methods, and whether it takes an object."""

    roles: frozenset[str] = frozenset()
    methods: tuple[str, ...] = ("GET",)
    public: bool = False  # anonymous users too (login, health)
    authenticated: bool = False  # every logged-in role (kernel API)
    object: bool = False  # kwargs name someone else's object: allowed roles get 404
    note: str = ""
    skip_object_for: frozenset[str] = field(default_factory=frozenset)
    #: shows or changes a resident's data: every permitted request must be audited
    #: (tests/test_audit_coverage.py); a denied one too, unless the gap is listed there
    personal_data: bool = False


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


C, T, M = Rol.CONSULENT, Rol.TEAMLEIDER, Rol.MELDER
P, B, H = Rol.PRIVACY_OFFICER, Rol.BELEIDSADVISEUR, Rol.BEHEERDER

MATRIX: dict[str, Access] = {
    # kernel
    "home": Access(public=True),
    "login": Access(public=True),
    "login_code": Access(public=True, note="second step: only with a pending login"),
    "login_instellen": Access(public=True, note="enrolment: only with a pending login"),
    "beheer_login": Access(public=True, note="the admin's login: redirect to the app's login"),
    "herstelcodes": Access(authenticated=True, note="the user's own new recovery codes"),
    "sso_login": Access(public=True, note="single sign-on start (404 unless OIDC_ENABLED)"),
    "oidc_authentication_callback": Access(public=True, note="single sign-on return"),
    "sso_geweigerd": Access(public=True, note="why single sign-on refused, in Dutch"),
    "account": Access(authenticated=True, note="one's own factors and sessions"),
    "herstelcodes_nieuw": Access(authenticated=True, methods=("POST",)),
    "overal_uitloggen": Access(authenticated=True, methods=("POST",)),
    "passkey_toevoegen": Access(authenticated=True, methods=("POST",), note="one's own passkey"),
    "passkey_verwijderen": Access(
        authenticated=True, methods=("POST",), object=True, note="someone else's: 404"
    ),
    "logout": Access(public=True, methods=("POST",)),
    "healthz": Access(public=True),
    "admin:*": Access(roles=roles(H), note="Django admin: staff only (beheerder)"),
    "admin:login": Access(public=True),
    "admin:logout": Access(public=True, methods=("POST",)),
    "admin:javascript-catalog": Access(public=True),
    "api:schema": Access(public=True, note="the OpenAPI schema holds no data"),
    "api:docs": Access(public=True, note="Swagger UI of the schema"),
    "api:me": Access(authenticated=True),
    "api:not_found": Access(note="every path under /api/v1/ that matches nothing: 404"),
    # casussen: pages
    "casussen:mijn_casussen": Access(roles=roles(C), personal_data=True),
    "casussen:caseload": Access(roles=roles(T), personal_data=True),
    "monitor:index": Access(roles=roles(B), note="published counts per buurt, no one's data"),
    "monitor:csv": Access(roles=roles(B), note="the same published counts"),
    "monitor:pdf": Access(roles=roles(B), note="the same published counts"),
    "api:monitor_kwartaal": Access(roles=roles(B), note="the same published counts"),
    "api:monitor_kwartaal_query": Access(roles=roles(B), note="the same, quarter as query"),
    "monitor_oud_adres": Access(roles=roles(B), note="the monitor's old address: redirect"),
    "casussen:casus": Access(roles=roles(C), object=True, personal_data=True),
    "casussen:vernietiging": Access(roles=roles(P), note="ids, dates and terms, no names"),
    "casussen:vernietiging_opstellen": Access(
        roles=roles(P), methods=("POST",), note="draws up a list of ids"
    ),
    "casussen:vernietiging_besluit": Access(
        roles=roles(P), methods=("POST",), note="decides on one item (ids only)"
    ),
    "casussen:rechtenverzoeken": Access(
        roles=roles(P),
        methods=("GET", "POST"),
        note="residents' requests (AVG art. 16-21); others 403, audited",
        personal_data=True,
    ),
    "casussen:rechtenverzoek": Access(roles=roles(P), object=True, personal_data=True),
    "casussen:rechtenverzoek_besluit": Access(
        roles=roles(P), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:rechtenverzoek_verlengen": Access(
        roles=roles(P), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:rechtenverzoek_opheffen": Access(
        roles=roles(P), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:bewaartermijnen": Access(roles=roles(P, H), note="the retention table, no data"),
    "casussen:status": Access(roles=roles(C), methods=("POST",), object=True, personal_data=True),
    "casussen:afsluiting": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:heropenen": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:overdracht": Access(
        roles=roles(C, T), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:betrokkene_toevoegen": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:betrokkene_intrekken": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:noodtoegang": Access(
        roles=roles(C),
        object=True,
        skip_object_for=roles(C),
        note="break-the-glass: any consulent gets the reason form (no lookup, no leak)",
        personal_data=True,
    ),
    # sociaal vangnet overleg: the session's access rules (casussen.overleg.selectors)
    "casussen:overleg:overzicht": Access(
        roles=roles(C, T, M), note="names and dates of the sessions the user may see"
    ),
    "casussen:overleg:nieuw": Access(
        roles=roles(C, T), methods=("GET", "POST"), note="the one who starts it chairs it"
    ),
    "casussen:overleg:mijn_afspraken": Access(
        roles=roles(M), note="own organisation's afspraken only", personal_data=True
    ),
    "casussen:overleg:grondslagen": Access(
        roles=roles(P), note="every sharing basis, for review", personal_data=True
    ),
    "casussen:overleg:sessie_nieuw": Access(
        roles=roles(C, T), methods=("POST",), object=True, note="the chair plans a session"
    ),
    "casussen:overleg:sessie": Access(
        roles=roles(C, T, M),
        object=True,
        note="chair, who brought an item in, participants within the window",
        personal_data=True,
    ),
    "casussen:overleg:huidig": Access(roles=roles(C, T, M), object=True, personal_data=True),
    "casussen:overleg:publiceren": Access(
        roles=roles(C, T), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:overleg:huidig_kiezen": Access(
        roles=roles(C, T), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:overleg:aanwezigheid": Access(
        roles=roles(C, T), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:overleg:punt": Access(
        roles=roles(C, T, M),
        object=True,
        note="shared with the user, within the window",
        personal_data=True,
    ),
    "casussen:overleg:afspraak_nieuw": Access(
        roles=roles(C, T), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:overleg:verslag": Access(
        roles=roles(C, T), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:overleg:inbrengen": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:overleg:bevestigen": Access(
        roles=roles(C),
        methods=("GET", "POST"),
        object=True,
        note="the aanspreekpunt only",
        personal_data=True,
    ),
    "casussen:overleg:afspraak_status": Access(
        roles=roles(M),
        methods=("POST",),
        object=True,
        note="the owner organisation only",
        personal_data=True,
    ),
    "api:overleg_agenda": Access(
        roles=roles(C, T, M), object=True, note="as the session page", personal_data=True
    ),
    "api:overleg_afspraken": Access(
        roles=roles(M), note="own organisation's afspraken", personal_data=True
    ),
    "api:overleg_afspraak": Access(
        roles=roles(M),
        methods=("PATCH",),
        object=True,
        note="the owner organisation only",
        personal_data=True,
    ),
    # casussen: API
    "api:casussen": Access(roles=roles(C), personal_data=True),
    "api:casus": Access(roles=roles(C), object=True, personal_data=True),
    "api:casus_aanspreekpunt": Access(
        roles=roles(C, T), methods=("POST",), object=True, personal_data=True
    ),
    "api:casus_overdracht": Access(
        roles=roles(C, T), methods=("POST",), object=True, personal_data=True
    ),
    "api:casus_status": Access(roles=roles(C), methods=("POST",), object=True, personal_data=True),
    "api:casus_afsluiting": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "api:casus_heropenen": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "api:casus_betrokkenen": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "api:casus_betrokkene": Access(
        roles=roles(C), methods=("DELETE",), object=True, personal_data=True
    ),
    "api:casus_noodtoegang": Access(
        roles=roles(C),
        methods=("POST",),
        object=True,
        skip_object_for=roles(C),
        note="break-the-glass: the one way in; audited and reviewed",
        personal_data=True,
    ),
    # plan (owner: plan helper): everything through the casus's permission
    "casussen:plan:plan": Access(roles=roles(C), object=True, personal_data=True),
    "casussen:plan:fragment": Access(roles=roles(C), object=True, personal_data=True),
    "casussen:plan:starten": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:plan:uitvraag": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:plan:evaluatie": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:plan:meting": Access(roles=roles(C), object=True, personal_data=True),
    "casussen:plan:doel_nieuw": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:plan:doel": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:plan:actie_nieuw": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:plan:actie": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:plan:actie_status": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "casussen:plan:vaststellen": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    "casussen:plan:versies": Access(roles=roles(C), object=True, personal_data=True),
    "casussen:plan:versie": Access(roles=roles(C), object=True, personal_data=True),
    "casussen:plan:afdrukken": Access(roles=roles(C), object=True, personal_data=True),
    "casussen:plan:pdf": Access(roles=roles(C), object=True, personal_data=True),
    "api:plan": Access(roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True),
    "api:plan_versies": Access(roles=roles(C), object=True, personal_data=True),
    "api:plan_versie": Access(roles=roles(C), object=True, personal_data=True),
    "api:plan_vaststellen": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "api:plan_doelen": Access(roles=roles(C), methods=("POST",), object=True, personal_data=True),
    "api:plan_doel": Access(roles=roles(C), methods=("PATCH",), object=True, personal_data=True),
    "api:plan_acties": Access(roles=roles(C), methods=("POST",), object=True, personal_data=True),
    "api:plan_actie": Access(roles=roles(C), methods=("PATCH",), object=True, personal_data=True),
    "api:metingen": Access(
        roles=roles(C), methods=("GET", "POST"), object=True, personal_data=True
    ),
    # signalen (owner: signalen helper)
    "signalen:nieuw": Access(roles=roles(M), personal_data=True),
    "signalen:mijn_signalen": Access(roles=roles(M), personal_data=True),
    "signalen:aanmeldingen": Access(roles=roles(C, T), personal_data=True),
    "signalen:ontvangen": Access(
        roles=roles(M), object=True, note="own organisation only", personal_data=True
    ),
    "signalen:aanmelding": Access(
        roles=roles(C, T), object=True, note="own team's queue", personal_data=True
    ),
    "signalen:toewijzen": Access(
        roles=roles(C, T), methods=("POST",), object=True, personal_data=True
    ),
    "signalen:match": Access(roles=roles(C, T), methods=("POST",), object=True, personal_data=True),
    "signalen:afhandelen": Access(
        roles=roles(C, T), methods=("POST",), object=True, personal_data=True
    ),
    "signalen:casus_signalen": Access(
        roles=roles(C),
        object=True,
        note="through casus_get_for_user: 404 without view access",
        personal_data=True,
    ),
    "signalen:koppelen": Access(roles=roles(C), methods=("POST",), object=True, personal_data=True),
    "signalen:terugkoppeling": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "signalen:ontkoppelen": Access(
        roles=roles(C), methods=("POST",), object=True, personal_data=True
    ),
    "api:signalen": Access(roles=roles(M), methods=("GET", "POST"), personal_data=True),
    "api:signaal": Access(
        roles=roles(M), object=True, note="own organisation only, else 404", personal_data=True
    ),
    # audit (owner: audit helper)
    "audit:console": Access(roles=roles(P), personal_data=True),
    "audit:beoordelen": Access(roles=roles(P), methods=("GET", "POST"), personal_data=True),
    "audit:inzageverzoek": Access(roles=roles(P), methods=("GET", "POST"), personal_data=True),
    "api:audit_list": Access(roles=roles(P), personal_data=True),
    "api:audit_search": Access(roles=roles(P), methods=("POST",), personal_data=True),
}

REFUSED = {403, 404}
LOGIN_REDIRECT = 302


def iter_patterns(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from iter_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or ''}", pattern


def entry_for(name: str) -> Access | None:
    if name in MATRIX:
        return MATRIX[name]
    namespace = name.split(":")[0] + ":*"
    return MATRIX.get(namespace) if ":" in name else None


ALL_PATTERNS = sorted({name for name, _ in iter_patterns(get_resolver())})


def test_every_url_pattern_has_an_entry_in_the_matrix():
    missing = [name or "<naamloos>" for name in ALL_PATTERNS if entry_for(name) is None]
    assert missing == [], f"geen regel in MATRIX voor: {missing}"


@pytest.fixture
def world(make_user, gemeente, team):
    """One user per role (team A) and a casus of team B with its own aanspreekpunt."""
    from casussen.services.betrokkenen import betrokkene_add
    from casussen.services.casus import casus_open
    from tests.casussen.factories import make_huishouden
    from tests.toegang.factories import TeamFactory

    ander_team = TeamFactory(organisatie=gemeente)

    users = {rol: make_user(rol) for rol in Rol.values}
    eigenaar = make_user(Rol.CONSULENT, team=ander_team)
    teamleider_b = make_user(Rol.TEAMLEIDER, team=ander_team)
    huishouden, _ = make_huishouden()
    casus = casus_open(
        huishouden=huishouden, aanspreekpunt=eigenaar, team=ander_team, by=teamleider_b
    )
    betrokkene = betrokkene_add(
        casus=casus,
        user=make_user(Rol.CONSULENT, team=ander_team),
        reden="Schulden",
        eind_datum=timezone.localdate() + timedelta(days=10),
        by=eigenaar,
    )
    objects = {"casus_id": casus.pk, "betrokkene_id": betrokkene.pk}
    return users, objects


def build_url(name: str, pattern: URLPattern, objects: dict) -> str | None:
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {}
    for key, converter in converters.items():
        if isinstance(converter, UUIDConverter):
            kwargs[key] = objects.get(key, uuid.uuid4())
        elif isinstance(converter, IntConverter):
            kwargs[key] = 999_999
        else:
            kwargs[key] = "x"
    if name == "api:not_found":
        return "/api/v1/bestaat-niet"
    if not name or name.endswith(":"):
        return None
    try:
        return reverse(name, kwargs=kwargs or None)
    except Exception:
        return None


def call(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, data={}, content_type="application/json")


def is_login_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == LOGIN_REDIRECT and (
        "inloggen" in location or "login" in location
    )


@pytest.mark.parametrize("name", [n for n in ALL_PATTERNS if entry_for(n)])
def test_refusal_for_every_role_and_someone_elses_object(name, world, client):
    users, objects = world
    access = entry_for(name)
    assert access is not None
    patterns = [p for n, p in iter_patterns(get_resolver()) if n == name]
    checked = 0
    for pattern in patterns:
        url = build_url(name, pattern, objects)
        if url is None:
            continue
        for who in [ANON, *sorted(ALL_ROLES)]:
            client.logout()
            if who != ANON:
                verified_login(client, users[who])
            allowed = access.public or (
                who != ANON and (access.authenticated or who in access.roles)
            )
            if name == "api:not_found":
                allowed = False
            for method in access.methods:
                response = call(client, method, url)
                checked += 1
                where = f"{method} {url} als {who}"
                if not allowed:
                    if who == ANON or name.startswith("admin:"):
                        assert response.status_code in REFUSED | {401} or is_login_redirect(
                            response
                        ), f"{where}: {response.status_code}"
                    else:
                        assert response.status_code in REFUSED, f"{where}: {response.status_code}"
                elif access.object and who not in access.skip_object_for:
                    assert response.status_code == 404, f"{where}: {response.status_code}"
    assert checked or name.startswith("admin:"), f"{name}: niets getest"


def test_breaking_the_glass_is_the_only_way_to_a_foreign_casus(world, client):
    users, objects = world
    verified_login(client, users[Rol.CONSULENT])
    url = reverse("casussen:noodtoegang", kwargs={"casus_id": objects["casus_id"]})
    assert client.get(url).status_code == 200  # only the reason form
    detail = reverse("casussen:casus", kwargs={"casus_id": objects["casus_id"]})
    assert client.get(detail).status_code == 404
    assert client.post(url, {"reden": "Acute zorg"}).status_code == 302
    assert client.get(detail).status_code == 200
