"""Every URL that shows or changes a resident's data writes an audit record.

The list is derived, not kept by hand: every pattern of the root urlconf whose
``MATRIX`` entry (tests/test_authorization_matrix.py) says ``personal_data=True``.
For each one ``REQUESTS`` holds a builder of a permitted request (an allowed role,
on an object that user may see, with a valid body for writes). A marked URL
without a builder fails, so a new endpoint cannot skip its audit.

The denied side: the allowed role asks for someone else's object (404, exactly
like a missing one). Where the app records that attempt, an audit record with
``uitkomst="denied"`` must follow; the endpoints where it does not yet are listed
in ``DENIAL_NOT_AUDITED`` and asserted to write nothing, so the list stays honest
in both directions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from django.core.cache import cache
from django.urls import get_resolver, reverse
from django.utils import timezone

from audit.models import AuditRecord, Uitkomst
from casussen.models import Casus
from casussen.plan import services as plan_services
from casussen.plan.models import Plan
from casussen.services.betrokkenen import betrokkene_add
from casussen.services.casus import casus_open, casus_set_status
from signalen.models import Signaal
from signalen.services import signaal_receive
from tests.audit.helpers import assert_audited
from tests.auth import verified_login
from tests.casussen.factories import AFSLUITING, make_huishouden
from tests.signalen import factories as signaal_factories
from tests.test_authorization_matrix import ALL_PATTERNS, build_url, entry_for, iter_patterns
from tests.toegang.factories import TeamFactory
from toegang.models import Organisatie
from toegang.roles import Rol

pytestmark = pytest.mark.django_db

START = date(2026, 1, 12)
SCORES = {
    "lichaamsfuncties": 5,
    "mentaal_welbevinden": 3,
    "zingeving": 6,
    "kwaliteit_van_leven": 4,
    "meedoen": 2,
    "dagelijks_functioneren": 7,
}


@dataclass
class Scene:
    """Team A with a followed casus (plan, doel, actie, meting, version 1) and its signals."""

    users: dict[str, Any]
    casus: Casus
    kaal: Casus  # a casus of the same consulent without a plan
    objects: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Req:
    user: str  # key in Scene.users
    method: str
    url: str
    data: dict[str, Any] | None = None
    json: bool = False  # send ``data`` as a JSON body (API), else as a form


Builder = Callable[[Scene], Req]


@pytest.fixture
def scene(make_user, gemeente, team) -> Scene:
    cache.clear()  # throttles of the signal intake
    consulent = make_user(Rol.CONSULENT)
    teamleider = make_user(Rol.TEAMLEIDER)
    huisarts = signaal_factories.huisarts()
    inloophuis = signaal_factories.inloophuis()
    users = {
        "consulent": consulent,
        "teamleider": teamleider,
        "collega": make_user(Rol.CONSULENT),
        "privacy_officer": make_user(Rol.PRIVACY_OFFICER),
        "huisarts": signaal_factories.melder_of(huisarts),
        "melder": signaal_factories.melder_of(inloophuis),
    }
    huishouden, leden = make_huishouden(
        {
            "voornaam": "Jan",
            "achternaam": "de Boer",
            "geboortedatum": date(1958, 3, 14),
            "bsn": signaal_factories.BSN,
        }
    )
    casus = casus_open(huishouden=huishouden, aanspreekpunt=consulent, team=team, by=teamleider)
    kaal_huishouden, _ = make_huishouden()
    kaal = casus_open(huishouden=kaal_huishouden, aanspreekpunt=consulent, team=team, by=teamleider)
    plan = plan_services.plan_create(casus=casus, startdatum=START, by=consulent)
    doel = plan_services.doel_add(
        plan=plan,
        casus=casus,
        by=consulent,
        tekst="Rust over geld",
        dimensies=["mentaal_welbevinden"],
        gezinsleden=[leden[0].pk],
    )
    actie = plan_services.actie_add(
        doel=doel,
        casus=casus,
        by=consulent,
        omschrijving="Post samen openen",
        eigenaar_soort="inwoner",
        deadline=START + timedelta(days=30),
        trede=1,
    )
    meting = plan_services.meting_record(
        casus=casus, by=consulent, soort="uitvraag", datum=START, scores=SCORES
    )
    plan_services.plan_vaststellen(
        plan=plan, casus=casus, by=consulent, datum=START, aanwezig=["Jan", "Consulent"]
    )
    plan_services.doel_add(  # a concept version 2 on top of the vastgesteld version 1
        plan=plan,
        casus=casus,
        by=consulent,
        tekst="Meedoen",
        dimensies=["meedoen"],
        gezinsleden=[leden[0].pk],
    )
    zonder_huishouden, _ = make_huishouden()
    zonder = casus_open(huishouden=zonder_huishouden, aanspreekpunt=None, team=team, by=teamleider)
    betrokkene = betrokkene_add(
        casus=casus,
        user=make_user(Rol.CONSULENT),
        reden="Schulden",
        eind_datum=timezone.localdate() + timedelta(days=10),
        by=consulent,
    )
    gekoppeld = signaal_receive(
        melder=users["huisarts"],
        data=signaal_factories.body(
            inwoner={
                "bsn": signaal_factories.BSN,
                "voornaam": "Jan",
                "achternaam": "de Boer",
                "geboortedatum": "1958-03-14",
            }
        ),
    )
    wachtend = signaal_receive(melder=users["melder"], data=signaal_factories.anoniem())
    mogelijk = signaal_receive(melder=users["melder"], data=signaal_factories.body())
    objects = {
        "doel": doel,
        "actie": actie,
        "meting": meting,
        "betrokkene": betrokkene,
        "zonder": zonder,
        "lid": leden[0],
        "gekoppeld": gekoppeld,
        "wachtend": wachtend,
        "mogelijk": mogelijk,
    }
    return Scene(users=users, casus=casus, kaal=kaal, objects=objects)


def _c(name: str, casus: Casus, **kwargs: Any) -> str:
    return reverse(name, kwargs={"casus_id": casus.pk, **kwargs})


def _get(name: str, user: str = "consulent", *, on: str = "casus", **kw: Any) -> Builder:
    """A GET of a casus-scoped URL; ``kw`` maps url kwargs to scene object attributes."""

    def build(s: Scene) -> Req:
        casus = getattr(s, on)
        extra = {k: (s.objects[v].pk if isinstance(v, str) else v) for k, v in kw.items()}
        return Req(user, "GET", _c(name, casus, **extra))

    return build


def _meting_form(**extra: Any) -> dict[str, Any]:
    data = {"datum": timezone.localdate().isoformat(), "gezinslid": ""}
    data.update({code: str(value) for code, value in SCORES.items()})
    data.update(extra)
    return data


def _verzoek(name: str, soort: str, method: str = "GET", data: Any = None) -> Builder:
    """A page of one resident's request (registered now for the scene's household)."""

    def build(s: Scene) -> Req:
        from casussen.services.rechten import verzoek_besluiten, verzoek_registreren

        officer = s.users["privacy_officer"]
        verzoek = verzoek_registreren(
            soort="beperking" if soort == "opheffen" else soort,
            huishouden=s.casus.huishouden,
            by=officer,
            reden="De inwoner vraagt het.",
        )
        if soort == "opheffen":
            verzoek_besluiten(verzoek=verzoek, toewijzen=True, by=officer, reden="Betwist")
        return Req("privacy_officer", method, reverse(name, args=[verzoek.pk]), data)

    return build


def _plain(name: str, user: str, method: str = "GET", data: Any = None, json_: bool = False):
    return lambda s: Req(user, method, reverse(name), data, json_)


def _api(path: str, method: str, data: Any, user: str = "consulent", on: str = "casus"):
    def build(s: Scene) -> Req:
        casus = getattr(s, on)
        body = data(s) if callable(data) else data
        return Req(user, method, f"/api/v1/casussen/{casus.pk}{path.format(**_ids(s))}", body, True)

    return build


def _form(name: str, data: Any, user: str = "consulent", **kw: str) -> Builder:
    def build(s: Scene) -> Req:
        extra = {k: s.objects[v].pk for k, v in kw.items()}
        body = data(s) if callable(data) else data
        return Req(user, "POST", _c(name, s.casus, **extra), body)

    return build


def _ids(s: Scene) -> dict[str, Any]:
    return {k: v.pk for k, v in s.objects.items()}


def _signaal(name: str, key: str, user: str, method: str = "GET", data: Any = None) -> Builder:
    def build(s: Scene) -> Req:
        body = data(s) if callable(data) else data
        return Req(user, method, reverse(name, kwargs={"pk": s.objects[key].pk}), body)

    return build


def _casus_signaal(name: str, data: Any, key: str | None = None) -> Builder:
    def build(s: Scene) -> Req:
        kwargs: dict[str, Any] = {"casus_id": s.casus.pk}
        if key:
            kwargs["pk"] = s.objects[key].pk
        body = data(s) if callable(data) else data
        return Req("consulent", "POST", reverse(name, kwargs=kwargs), body)

    return build


def _version(s: Scene) -> int:
    return Casus.objects.get(pk=s.casus.pk).version


def _closed(s: Scene) -> int:
    """Close the scene's casus (the closure URLs need one); its version after closing."""
    casus = Casus.objects.get(pk=s.casus.pk)
    if casus.is_open:
        casus = casus_set_status(
            casus=casus,
            status="afgesloten",
            version=casus.version,
            by=s.users["consulent"],
            **AFSLUITING,
        )
    return casus.version


def _plan_versie(s: Scene) -> int:
    return Plan.objects.get(huishouden_id=s.casus.huishouden_id).versie


def inbreng_form() -> dict[str, Any]:
    from tests.casussen.overleg_factories import inbreng

    values = inbreng()
    values["toestemming_datum"] = values["toestemming_datum"].isoformat()
    return values


def _overleg(s: Scene) -> dict[str, Any]:
    """A published session chaired by the teamleider with the scene's casus on its agenda,
    shared with the huisarts (a participant), and one confirmed afspraak of the huisarts."""
    if "overleg" in s.objects:
        return s.objects["overleg"]
    from casussen.overleg import services as overleg_services
    from tests.casussen.overleg_factories import inbreng

    huisarts = s.users["huisarts"]
    Organisatie.objects.filter(pk=huisarts.organisatie_id).update(overleg_deelnemer=True)
    huisarts.organisatie.refresh_from_db()
    chair = s.users["teamleider"]
    ov = overleg_services.overleg_create(
        naam="SVO", voorzitter=chair, deelnemers=[huisarts], schema="", by=chair
    )
    start = timezone.now()
    sessie = overleg_services.sessie_plan(
        overleg=ov, begint_op=start, eindigt_op=start + timedelta(hours=2), by=chair
    )
    punt = overleg_services.casus_inbrengen(
        sessie=sessie, casus=s.casus, by=s.users["consulent"], gedeeld_met=[huisarts], **inbreng()
    )
    sessie = overleg_services.sessie_publiceren(sessie=sessie, by=chair)
    overleg_services.huidig_punt_kiezen(sessie=sessie, punt=punt, by=chair)
    afspraak = overleg_services.afspraak_vastleggen(
        punt=punt, by=chair, omschrijving="Huisbezoek", eigenaar_soort="organisatie",
        organisatie=huisarts.organisatie, datum=START + timedelta(days=20), trede=2,
    )  # fmt: skip
    bevestigd = overleg_services.afspraak_vastleggen(
        punt=punt, by=chair, omschrijving="Spreekuur", eigenaar_soort="organisatie",
        organisatie=huisarts.organisatie, datum=START + timedelta(days=20), trede=1,
    )  # fmt: skip
    overleg_services.afspraak_bevestigen(
        afspraak=bevestigd, doel=s.objects["doel"], by=s.users["consulent"]
    )
    concept = overleg_services.sessie_plan(
        overleg=ov, begint_op=start, eindigt_op=start + timedelta(hours=2), by=chair
    )
    overleg_services.casus_inbrengen(
        sessie=concept, casus=s.kaal, by=s.users["consulent"], gedeeld_met=[], **inbreng()
    )
    s.objects["overleg"] = {
        "sessie_id": sessie.pk, "punt_id": punt.pk, "afspraak_id": afspraak.pk,
        "bevestigd_id": bevestigd.pk, "concept_id": concept.pk,
    }  # fmt: skip
    return s.objects["overleg"]


def _ov(name: str, user: str, method: str = "GET", key: str = "", data: Any = None) -> Builder:
    """A request on the scene's overleg; ``key`` names the url kwarg (sessie_id, punt_id, ...)."""

    def build(s: Scene) -> Req:
        ids = _overleg(s)
        kwargs: dict[str, Any] = {}
        if key == "casus_id":
            kwargs[key] = s.kaal.pk
        elif key:
            kwargs[key.split(":")[0]] = ids[key.split(":")[-1]]
        body = data(s, ids) if callable(data) else data
        return Req(user, method, reverse(name, kwargs=kwargs or None), body)

    return build


TODAY = lambda: timezone.localdate().isoformat()  # noqa: E731
EIND = lambda: (timezone.localdate() + timedelta(days=30)).isoformat()  # noqa: E731

#: One permitted request per URL name marked ``personal_data``.
REQUESTS: dict[str, Builder] = {
    # casussen: pages
    "casussen:mijn_casussen": _plain("casussen:mijn_casussen", "consulent"),
    "casussen:caseload": lambda s: Req(
        "teamleider", "GET", f"{reverse('casussen:caseload')}?consulent={s.users['consulent'].pk}"
    ),
    "casussen:casus": _get("casussen:casus"),
    "casussen:status": _form(
        "casussen:status", lambda s: {"status": "in_behandeling", "version": _version(s)}
    ),
    "casussen:afsluiting": _form(
        "casussen:afsluiting",
        lambda s: {"afsluitreden": "verhuisd", "grondslag": "jeugdwet", "version": _closed(s)},
    ),
    "casussen:heropenen": _form("casussen:heropenen", lambda s: {"version": _closed(s)}),
    # the GET forms show the casus reference and staff names only: the write is the access
    "casussen:overdracht": _form(
        "casussen:overdracht", lambda s: {"naar": s.users["collega"].pk, "notitie": "Verlof"}
    ),
    "casussen:betrokkene_toevoegen": _form(
        "casussen:betrokkene_toevoegen",
        lambda s: {"user": s.users["collega"].pk, "reden": "Schulden", "eind_datum": EIND()},
    ),
    "casussen:betrokkene_intrekken": _form(
        "casussen:betrokkene_intrekken", {}, betrokkene_id="betrokkene"
    ),
    "casussen:noodtoegang": lambda s: Req(
        "collega_b", "POST", _c("casussen:noodtoegang", s.casus), {"reden": "Acute zorg"}
    ),
    # sociaal vangnet overleg
    "casussen:overleg:mijn_afspraken": _ov("casussen:overleg:mijn_afspraken", "huisarts"),
    "casussen:overleg:grondslagen": _ov("casussen:overleg:grondslagen", "privacy_officer"),
    "casussen:overleg:sessie": _ov("casussen:overleg:sessie", "huisarts", key="sessie_id"),
    "casussen:overleg:huidig": _ov("casussen:overleg:huidig", "huisarts", key="sessie_id"),
    "casussen:overleg:punt": _ov("casussen:overleg:punt", "huisarts", key="punt_id"),
    "casussen:overleg:publiceren": _ov(
        "casussen:overleg:publiceren", "teamleider", "POST", "sessie_id:concept_id", {}
    ),
    "casussen:overleg:huidig_kiezen": _ov(
        "casussen:overleg:huidig_kiezen",
        "teamleider",
        "POST",
        "sessie_id",
        lambda s, ids: {"punt": ids["punt_id"]},
    ),
    "casussen:overleg:aanwezigheid": _ov(
        "casussen:overleg:aanwezigheid",
        "teamleider",
        "POST",
        "sessie_id",
        lambda s, ids: {"aanwezig": [s.users["huisarts"].pk]},
    ),
    "casussen:overleg:afspraak_nieuw": _ov(
        "casussen:overleg:afspraak_nieuw",
        "teamleider",
        "POST",
        "punt_id",
        lambda s, ids: {
            "omschrijving": "Bellen",
            "eigenaar_soort": "inwoner",
            "datum": EIND(),
            "trede": "1",
        },
    ),
    "casussen:overleg:verslag": _ov(
        "casussen:overleg:verslag", "teamleider", "POST", "punt_id", {"verslag": "Besproken."}
    ),
    "casussen:overleg:inbrengen": _ov(
        "casussen:overleg:inbrengen",
        "consulent",
        "POST",
        "casus_id",
        lambda s, ids: {
            **inbreng_form(),
            "sessie": ids["sessie_id"],
            "gedeeld_met": [s.users["huisarts"].pk],
        },
    ),
    "casussen:overleg:bevestigen": _ov(
        "casussen:overleg:bevestigen", "consulent", "GET", "afspraak_id"
    ),
    "casussen:overleg:afspraak_status": _ov(
        "casussen:overleg:afspraak_status",
        "huisarts",
        "POST",
        "afspraak_id:bevestigd_id",
        {"status": "bezig"},
    ),
    "api:overleg_agenda": lambda s: Req(
        "huisarts", "GET", f"/api/v1/overleg/sessies/{_overleg(s)['sessie_id']}/agenda"
    ),
    "api:overleg_afspraken": _ov("api:overleg_afspraken", "huisarts"),
    "api:overleg_afspraak": lambda s: Req(
        "huisarts",
        "PATCH",
        f"/api/v1/overleg/afspraken/{_overleg(s)['bevestigd_id']}",
        {"status": "klaar"},
        True,
    ),
    # casussen: API
    "api:casussen": lambda s: Req("consulent", "GET", "/api/v1/casussen"),
    "api:casus": _api("", "GET", None),
    "api:casus_aanspreekpunt": lambda s: Req(
        "teamleider",
        "POST",
        f"/api/v1/casussen/{s.objects['zonder'].pk}/aanspreekpunt",
        {"aanspreekpunt": s.users["collega"].pk},
        True,
    ),
    "api:casus_overdracht": _api(
        "/overdracht", "POST", lambda s: {"naar": s.users["collega"].pk, "version": _version(s)}
    ),
    "api:casus_status": _api(
        "/status", "POST", lambda s: {"status": "in_behandeling", "version": _version(s)}
    ),
    "api:casus_afsluiting": _api(
        "/afsluiting",
        "POST",
        lambda s: {"afsluitreden": "verhuisd", "grondslag": "jeugdwet", "version": _closed(s)},
    ),
    "api:casus_heropenen": _api("/heropenen", "POST", lambda s: {"version": _closed(s)}),
    "api:casus_betrokkenen": _api(
        "/betrokkenen",
        "POST",
        lambda s: {"user": s.users["collega"].pk, "reden": "Schulden", "eind_datum": EIND()},
    ),
    "api:casus_betrokkene": _api("/betrokkenen/{betrokkene}", "DELETE", None),
    "api:casus_noodtoegang": lambda s: Req(
        "collega_b", "POST", f"/api/v1/casussen/{s.casus.pk}/noodtoegang", {"reden": "Acuut"}, True
    ),
    # plan: pages
    "casussen:plan:plan": _get("casussen:plan:plan"),
    "casussen:plan:fragment": _get("casussen:plan:fragment"),
    "casussen:plan:starten": lambda s: Req(
        "consulent", "POST", _c("casussen:plan:starten", s.kaal), {"startdatum": "2026-01-12"}
    ),
    "casussen:plan:uitvraag": _get("casussen:plan:uitvraag"),
    "casussen:plan:evaluatie": _get("casussen:plan:evaluatie"),
    "casussen:plan:meting": _get("casussen:plan:meting", meting_id="meting"),
    "casussen:plan:doel_nieuw": _get("casussen:plan:doel_nieuw"),
    "casussen:plan:doel": _get("casussen:plan:doel", doel_id="doel"),
    "casussen:plan:actie_nieuw": _get("casussen:plan:actie_nieuw", doel_id="doel"),
    "casussen:plan:actie": _get("casussen:plan:actie", actie_id="actie"),
    "casussen:plan:actie_status": _form(
        "casussen:plan:actie_status", {"status": "bezig"}, actie_id="actie"
    ),
    "casussen:plan:vaststellen": _get("casussen:plan:vaststellen"),
    "casussen:plan:versies": _get("casussen:plan:versies"),
    "casussen:plan:versie": _get("casussen:plan:versie", nummer=1),
    "casussen:plan:afdrukken": _get("casussen:plan:afdrukken"),
    "casussen:plan:pdf": _get("casussen:plan:pdf"),
    # plan: API
    "api:plan": _api("/plan", "GET", None),
    "api:plan_versies": _api("/plan/versies", "GET", None),
    "api:plan_versie": _api("/plan/versies/1", "GET", None),
    "api:plan_vaststellen": _api(
        "/plan/vaststellen",
        "POST",
        lambda s: {"datum": TODAY(), "aanwezig": ["Jan"], "versie": _plan_versie(s)},
    ),
    "api:plan_doelen": _api(
        "/plan/doelen",
        "POST",
        lambda s: {
            "tekst": "Weer meedoen",
            "dimensies": ["meedoen"],
            "gezinsleden": [str(s.objects["lid"].pk)],
            "versie": _plan_versie(s),
        },
    ),
    "api:plan_doel": _api(
        "/plan/doelen/{doel}", "PATCH", lambda s: {"tekst": "Anders", "versie": _plan_versie(s)}
    ),
    "api:plan_acties": _api(
        "/plan/doelen/{doel}/acties",
        "POST",
        {
            "omschrijving": "Koffie",
            "eigenaar_soort": "inwoner",
            "deadline": "2026-03-01",
            "trede": 1,
        },
    ),
    "api:plan_actie": _api("/plan/acties/{actie}", "PATCH", {"status": "bezig"}),
    "api:metingen": _api("/metingen", "GET", None),
    # signalen
    "signalen:nieuw": lambda s: Req(
        "melder",
        "POST",
        reverse("signalen:nieuw"),
        {
            "toestemming": "zonder_toestemming",
            "buurt": "Centrum",
            "leefgebieden": ["eenzaamheid"],
            "omschrijving": "Komt nauwelijks buiten.",
        },
    ),
    "signalen:mijn_signalen": _plain("signalen:mijn_signalen", "melder"),
    "signalen:aanmeldingen": _plain("signalen:aanmeldingen", "teamleider"),
    "signalen:ontvangen": _signaal("signalen:ontvangen", "wachtend", "melder"),
    "signalen:aanmelding": _signaal("signalen:aanmelding", "wachtend", "teamleider"),
    "signalen:toewijzen": _signaal(
        "signalen:toewijzen", "wachtend", "consulent", "POST", {"aanspreekpunt": ""}
    ),
    "signalen:match": _signaal(
        "signalen:match",
        "mogelijk",
        "teamleider",
        "POST",
        lambda s: {"besluit": "bevestigen", "huishouden": s.casus.huishouden_id},
    ),
    "signalen:afhandelen": _signaal(
        "signalen:afhandelen",
        "wachtend",
        "teamleider",
        "POST",
        {"afhandelen-status": "doorverwezen", "afhandelen-bericht": "Naar het Financieel Café."},
    ),
    "signalen:casus_signalen": _get("signalen:casus_signalen"),
    "signalen:koppelen": _casus_signaal(
        "signalen:koppelen", lambda s: {"referentie": s.objects["wachtend"].referentie}
    ),
    "signalen:terugkoppeling": _casus_signaal(
        "signalen:terugkoppeling",
        lambda s: {f"s-{s.objects['gekoppeld'].pk}-status": "opgepakt"},
        "gekoppeld",
    ),
    "signalen:ontkoppelen": _casus_signaal(
        "signalen:ontkoppelen", {"reden": "Ander gezin"}, "gekoppeld"
    ),
    "api:signalen": lambda s: Req("melder", "GET", "/api/v1/signalen"),
    "api:signaal": lambda s: Req("melder", "GET", f"/api/v1/signalen/{s.objects['wachtend'].pk}"),
    # audit
    "audit:console": _plain("audit:console", "privacy_officer"),
    "audit:beoordelen": _plain("audit:beoordelen", "privacy_officer"),
    "audit:inzageverzoek": lambda s: Req(
        "privacy_officer", "POST", reverse("audit:inzageverzoek"), {"bsn": signaal_factories.BSN}
    ),
    "casussen:rechtenverzoeken": lambda s: Req(
        "privacy_officer",
        "POST",
        reverse("casussen:rechtenverzoeken"),
        {"bsn": signaal_factories.BSN, "soort": "bezwaar", "reden": "Wil geen hulp meer."},
    ),
    "casussen:rechtenverzoek": _verzoek("casussen:rechtenverzoek", "bezwaar"),
    "casussen:rechtenverzoek_besluit": _verzoek(
        "casussen:rechtenverzoek_besluit",
        "bezwaar",
        "POST",
        {"besluit": "toewijzen", "reden": "Geen wettelijke taak."},
    ),
    "casussen:rechtenverzoek_verlengen": _verzoek(
        "casussen:rechtenverzoek_verlengen", "bezwaar", "POST", {"reden": "Advies nodig."}
    ),
    "casussen:rechtenverzoek_opheffen": _verzoek(
        "casussen:rechtenverzoek_opheffen", "opheffen", "POST", {"reden": "Juist bevonden."}
    ),
    "api:audit_list": lambda s: Req("privacy_officer", "GET", "/api/v1/audit"),
    "api:audit_search": lambda s: Req(
        "privacy_officer", "POST", "/api/v1/audit/zoeken", {"bsn": signaal_factories.BSN}, True
    ),
}

#: Endpoints whose refusal (404 on someone else's object) writes no audit record. Empty since
#: toegang.denials records every 404 on a named object, for pages and the API alike.
DENIAL_NOT_AUDITED: dict[str, str] = {}

PERSONAL = [n for n in ALL_PATTERNS if (a := entry_for(n)) is not None and a.personal_data]


def _refused_roles(name: str) -> list[str]:
    access = entry_for(name)
    assert access is not None
    return sorted(access.roles - access.skip_object_for) if access.object else []


#: Object URLs where some allowed role gets 404 on someone else's object (not break-the-glass).
OBJECT_PERSONAL = [n for n in PERSONAL if _refused_roles(n)]


def send(client: Any, req: Req, **extra: Any) -> Any:
    method = getattr(client, req.method.lower())
    if req.method == "GET":
        return method(req.url, **extra)
    if req.json:
        return method(
            req.url, data=json.dumps(req.data or {}), content_type="application/json", **extra
        )
    if req.method == "POST":
        return method(req.url, data=req.data or {}, **extra)
    return method(req.url, **extra)


def test_every_personal_data_url_has_a_request_builder():
    unknown = sorted(set(DENIAL_NOT_AUDITED) - set(OBJECT_PERSONAL))
    assert unknown == [], f"DENIAL_NOT_AUDITED names no refusable personal-data URL: {unknown}"
    missing = [name for name in PERSONAL if name not in REQUESTS]
    assert missing == [], f"geen verzoek in REQUESTS voor: {missing}"
    stale = sorted(set(REQUESTS) - set(PERSONAL))
    assert stale == [], f"REQUESTS voor URL's zonder personal_data: {stale}"


def test_the_list_is_derived_from_the_url_patterns():
    assert "casussen:casus" in PERSONAL and "api:plan" in PERSONAL
    assert "healthz" not in PERSONAL and "login" not in PERSONAL


@pytest.mark.parametrize("name", PERSONAL)
def test_a_permitted_request_writes_an_audit_record(name, scene, client, make_user):
    builder = REQUESTS.get(name)
    if builder is None:
        pytest.fail(f"{name}: personal_data zonder verzoek in REQUESTS")
    scene.users.setdefault("collega_b", make_user(Rol.CONSULENT, team=TeamFactory()))
    req = builder(scene)
    user = scene.users[req.user]
    verified_login(client, user)
    with assert_audited(user=user, uitkomst=Uitkomst.ALLOWED):
        response = send(client, req)
        assert response.status_code < 400, (
            f"{req.method} {req.url}: {response.status_code} {response.content[:300]!r}"
        )


@pytest.mark.parametrize("name", PERSONAL)
def test_every_audit_record_of_a_request_carries_its_context(name, scene, client, make_user):
    """Reads and writes alike, however deep the service that records: one context."""
    scene.users.setdefault("collega_b", make_user(Rol.CONSULENT, team=TeamFactory()))
    req = REQUESTS[name](scene)
    verified_login(client, scene.users[req.user])
    before = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = send(
        client,
        req,
        HTTP_USER_AGENT="ContextProbe/1.0",
        REMOTE_ADDR="198.51.100.23",
        HTTP_X_REQUEST_ID="probe-request-0001",
    )
    assert response.status_code < 400
    written = AuditRecord.objects.filter(id__gt=before)
    assert written.exists()
    contexts = set(written.values_list("request_id", "ip_adres", "user_agent"))
    assert contexts == {("probe-request-0001", "198.51.100.23", "ContextProbe/1.0")}, (
        f"{req.method} {req.url}"
    )


@pytest.fixture
def elders(make_user, gemeente):
    """Someone else's objects: a casus of team B and a signal of another organisation."""
    team_b = TeamFactory(organisatie=gemeente)
    eigenaar = make_user(Rol.CONSULENT, team=team_b)
    huishouden, _ = make_huishouden()
    casus = casus_open(huishouden=huishouden, aanspreekpunt=eigenaar, team=team_b, by=eigenaar)
    betrokkene = betrokkene_add(
        casus=casus,
        user=make_user(Rol.CONSULENT, team=team_b),
        reden="Schulden",
        eind_datum=timezone.localdate() + timedelta(days=10),
        by=eigenaar,
    )
    cache.clear()
    signaal = signaal_receive(
        melder=signaal_factories.melder_of(signaal_factories.inloophuis("Buurthuis")),
        data=signaal_factories.anoniem(),
    )
    Signaal.objects.filter(pk=signaal.pk).update(team=team_b)
    return {"casus_id": casus.pk, "betrokkene_id": betrokkene.pk, "pk": signaal.pk}


@pytest.mark.parametrize("name", OBJECT_PERSONAL)
def test_a_refused_request_on_someone_elses_object_is_audited(name, elders, client, make_user):
    access = entry_for(name)
    assert access is not None
    who = _refused_roles(name)
    user = make_user(who[0])
    verified_login(client, user)
    pattern = next(p for n, p in iter_patterns(get_resolver()) if n == name)
    url = build_url(name, pattern, elders)
    assert url is not None
    before = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = send(client, Req(who[0], access.methods[-1], url, {}, name.startswith("api:")))
    assert response.status_code == 404, f"{url}: {response.status_code}"
    denied = AuditRecord.objects.filter(id__gt=before, user_id=user.pk, uitkomst=Uitkomst.DENIED)
    if name in DENIAL_NOT_AUDITED:
        assert not denied.exists(), f"{name} records denials now: drop it from DENIAL_NOT_AUDITED"
    else:
        assert denied.exists(), f"{access.methods[-1]} {url}: 404 without a denied audit record"
