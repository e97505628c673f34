"""``/api/v1/signalen``: rules, errors as problem+json, isolation, the identical answer."""

from __future__ import annotations

import json

import pytest

from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import Actie, AuditRecord, Uitkomst
from signalen.models import Signaal, Status
from signalen.services import signaal_receive, signaal_terugkoppelen
from tests.auth import verified_login
from tests.signalen import factories
from toegang.roles import Rol

URL = "/api/v1/signalen"
PROBLEM = "application/problem+json"


def _post(api: APIClient, data, **headers):
    return api.post(URL, data=json.dumps(data), content_type="application/json", **headers)


def _problem(response) -> dict:
    assert response["Content-Type"] == PROBLEM
    return json.loads(response.content)


def _invalid(response) -> dict[str, str]:
    assert response.status_code == 400, response.content
    body = _problem(response)
    return {p["name"]: p["reason"] for p in body["invalid-params"]}


# -- receiving -------------------------------------------------------------------------


def test_a_partner_system_posts_a_signal_and_gets_only_a_reference(api, inloophuis):
    response = _post(api, factories.body())

    assert response.status_code == 201
    answer = response.json()
    assert set(answer) == {"id", "referentie", "status", "aangemaakt_op"}
    assert answer["status"] == "ontvangen"
    signaal = Signaal.objects.get(pk=answer["id"])
    assert signaal.referentie == answer["referentie"]
    assert signaal.organisatie == inloophuis
    assert signaal.bron == "api"
    assert response["Location"] == f"{URL}/{signaal.pk}"


@pytest.mark.parametrize("prefix", ["/", "/toegang/"])
def test_the_location_is_the_reversed_url_of_the_signal(prefix):
    import uuid

    from django.urls import get_script_prefix, set_script_prefix

    from signalen.api.views import signaal_url

    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for pk in (uuid.uuid4(), uuid.uuid4(), str(uuid.uuid4())):
            assert signaal_url(pk) == reverse("api:signaal", kwargs={"pk": pk})
            assert signaal_url(pk).startswith(prefix)
    finally:
        set_script_prefix(before)


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "UTC"])
@pytest.mark.parametrize("micro", [0, 123456])
def test_the_answer_is_what_the_serializer_would_write(api, zone, micro):
    from django.utils import timezone

    from signalen.api.serializers import SignaalOntvangenSerializer

    signaal = Signaal.objects.get(pk=_post(api, factories.body()).json()["id"])
    signaal.created_at = signaal.created_at.replace(microsecond=micro)
    with timezone.override(zone):
        built = SignaalOntvangenSerializer.from_signaal(signaal)
        expected = SignaalOntvangenSerializer(
            {
                "id": signaal.pk,
                "referentie": signaal.referentie,
                "status": Status.ONTVANGEN,
                "aangemaakt_op": signaal.created_at,
            }
        ).data
    assert built == expected
    assert json.dumps(built) == json.dumps(expected)


@pytest.mark.parametrize("maker", [factories.body, factories.anoniem, factories.warm])
def test_each_consent_mode_is_accepted(api, maker):
    response = _post(api, maker())
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (
            factories.body(inwoner={"achternaam": "X", "bsn": "111222334"}),
            "inwoner.bsn",
            "elfproef",
        ),
        (
            factories.body(inwoner={"geboortedatum": "2023-02-30"}),
            "inwoner.geboortedatum",
            "geen bestaande datum",
        ),
        (
            factories.body(inwoner={"geboortedatum": "2999-01-01"}),
            "inwoner.geboortedatum",
            "toekomst",
        ),
        (
            factories.body(inwoner={"geboortedatum": "1850-01-01"}),
            "inwoner.geboortedatum",
            "niet mogelijk",
        ),
        (factories.body(leefgebieden=["financien", "astrologie"]), "leefgebieden", "Onbekend"),
        (factories.body(leefgebieden=[]), "leefgebieden", "ten minste één"),
        (factories.body(omschrijving=""), "omschrijving", "Beschrijf"),
        (factories.body(omschrijving=" \n\t "), "omschrijving", "Beschrijf"),
        (factories.body(omschrijving="x" * 4001), "omschrijving", "maximaal 4000"),
        (factories.body(omschrijving="nul\x00byte"), "omschrijving", "niet zijn toegestaan"),
        (factories.body(toestemming="misschien"), "toestemming", "toestemming"),
        (factories.body(toestemming=None), "toestemming", "toestemming"),
        (factories.body(urgent="ja"), "urgent", "ja of nee"),
        (factories.body(inwoner={"postcode": "ABC"}), "inwoner.postcode", "3881 AB"),
        (factories.body(inwoner={"telefoon": "12"}), "inwoner.telefoon", "10 cijfers"),
        (factories.body(inwoner={"schoenmaat": "44"}), "inwoner.schoenmaat", "bestaat niet"),
        (factories.body(geloof="x"), "geloof", "bestaat niet"),
        (factories.warm(contactroute=""), "contactroute", "contact"),
        (
            factories.anoniem(inwoner={"voornaam": "Jan", "telefoon": "0612345678"}),
            "inwoner.voornaam",
            "Zonder toestemming",
        ),
        (factories.anoniem(contactroute="Bel mij"), "contactroute", "warme overdracht"),
        (factories.body(inwoner={}), "inwoner.voornaam", "ten minste een voornaam"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." not in v and len(v) < 30 else None,
)
def test_bad_input_is_refused_per_field_in_dutch_and_nothing_is_stored(
    huisarts_api, data, field, fragment
):
    response = _post(huisarts_api, data)

    params = _invalid(response)
    assert field in params
    assert fragment.lower() in params[field].lower()
    assert not Signaal.objects.exists()


def test_error_messages_never_echo_the_submitted_values(huisarts_api):
    data = factories.body(
        inwoner={"achternaam": "Geheimnaam", "bsn": "999999990", "postcode": "GEHEIM"}
    )
    response = _post(huisarts_api, data)
    assert response.status_code == 400
    assert b"999999990" not in response.content
    assert b"GEHEIM" not in response.content
    assert b"Geheimnaam" not in response.content


def test_identifying_fields_without_consent_are_named_one_by_one(api):
    data = factories.anoniem(inwoner={"voornaam": "Jan", "postcode": "3881 AB"})
    params = _invalid(_post(api, data))
    assert {"inwoner.voornaam", "inwoner.postcode"} <= set(params)


def test_a_bsn_from_an_organisation_not_allowed_to_send_one_is_refused(api):
    params = _invalid(_post(api, factories.body(inwoner={"achternaam": "X", "bsn": factories.BSN})))
    assert "mag geen BSN" in params["inwoner.bsn"]
    assert not Signaal.objects.exists()


def test_a_gp_may_send_a_bsn(huisarts_api):
    response = _post(
        huisarts_api, factories.body(inwoner={"achternaam": "X", "bsn": factories.BSN})
    )
    assert response.status_code == 201


def test_html_and_script_are_stored_as_text(api):
    text = '<script>alert("x")</script><b>vet</b>'
    response = _post(api, factories.body(omschrijving=text))
    assert response.status_code == 201
    assert Signaal.objects.get().omschrijving == text


def test_malformed_json_and_a_non_object_body_are_problems(api):
    response = api.post(URL, data="{kapot", content_type="application/json")
    assert response.status_code == 400
    assert _problem(response)["detail"] == "De JSON in het verzoek is ongeldig."
    response = _post(api, ["een", "lijst"])
    assert response.status_code == 400
    _problem(response)


# -- who may ---------------------------------------------------------------------------


def test_anonymous_callers_get_401(db):
    response = _post(APIClient(), factories.body())
    assert response.status_code == 401
    _problem(response)


@pytest.mark.parametrize(
    "rol", [Rol.CONSULENT, Rol.TEAMLEIDER, Rol.PRIVACY_OFFICER, Rol.BELEIDSADVISEUR, Rol.BEHEERDER]
)
def test_other_roles_get_403_on_the_melder_endpoints(make_user, rol):
    api = APIClient()
    api.force_authenticate(make_user(rol))
    assert _post(api, factories.body()).status_code == 403
    assert api.get(URL).status_code == 403
    assert api.get(f"{URL}/00000000-0000-0000-0000-000000000000").status_code == 403
    assert not Signaal.objects.exists()


def test_a_revoked_token_no_longer_works(api):
    from signalen.services import partner_client_revoke

    partner_client_revoke(client=api.partner, by=None)
    assert _post(api, factories.body()).status_code == 401


# -- reading: own organisation only, status and terugkoppeling only ----------------------


def test_a_client_reads_status_and_terugkoppeling_of_its_own_signal(api, consulent, make_user):
    created = _post(api, factories.anoniem()).json()
    teamleider = make_user(Rol.TEAMLEIDER)
    signaal = Signaal.objects.get(pk=created["id"])
    signaal_terugkoppelen(
        signaal=signaal,
        status=Status.DOORVERWEZEN,
        bericht="Doorverwezen naar <Schuldhulp>.",
        by=teamleider,
    )

    response = api.get(f"{URL}/{created['id']}")

    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {
        "id",
        "referentie",
        "status",
        "terugkoppeling",
        "status_gewijzigd_op",
        "aangemaakt_op",
    }
    assert answer["status"] == "doorverwezen"
    assert answer["terugkoppeling"] == "Doorverwezen naar <Schuldhulp>."


def test_organisation_a_asking_for_a_signal_of_b_gets_the_same_404_as_for_nothing(
    api, huisarts_api, praktijk, huisarts
):
    van_b = signaal_receive(melder=huisarts, data=factories.anoniem())

    other = api.get(f"{URL}/{van_b.pk}")
    missing = api.get(f"{URL}/6d1f4c8e-0000-4000-8000-000000000000")
    malformed = api.get(f"{URL}/niet-een-id")

    assert other.status_code == missing.status_code == malformed.status_code == 404
    strip = lambda r: {k: v for k, v in _problem(r).items() if k != "instance"}  # noqa: E731
    assert strip(other) == strip(missing) == strip(malformed)
    denied = AuditRecord.objects.filter(actie=Actie.DENY, object_id=str(van_b.pk)).get()
    assert denied.uitkomst == Uitkomst.DENIED


def test_the_list_holds_only_the_own_organisations_signals(api, huisarts, inloophuis):
    own = [_post(api, factories.anoniem()).json()["id"] for _ in range(3)]
    signaal_receive(melder=huisarts, data=factories.anoniem())

    response = api.get(URL)

    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["results"]]
    assert sorted(ids) == sorted(own)
    rec = AuditRecord.objects.filter(actie=Actie.READ, object_type="signaal").latest("id")
    assert sorted(rec.object_ids) == sorted(own)


def test_the_list_pages_by_cursor_without_repeats(api, melder):
    for _ in range(27):
        signaal_receive(melder=melder, data=factories.anoniem())
    first = api.get(URL).json()
    assert len(first["results"]) == 25 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    ids = [i["id"] for i in first["results"] + second["results"]]
    assert len(set(ids)) == 27


def test_a_user_with_the_model_level_view_permission_still_sees_nothing_of_others(api, huisarts):
    from django.contrib.auth.models import Permission

    huisarts.user_permissions.add(Permission.objects.get(codename="view_signaal"))
    van_a = _post(api, factories.anoniem()).json()["id"]
    other = APIClient()
    other.force_authenticate(huisarts)
    assert other.get(f"{URL}/{van_a}").status_code == 404
    assert other.get(URL).json()["results"] == []


# -- the answer does not tell whether the resident was known -----------------------------


def _normalised(response, signaal_id: str) -> bytes:
    signaal = Signaal.objects.get(pk=signaal_id)
    content = response.content
    for value, placeholder in (
        (str(signaal.pk), "ID"),
        (signaal.referentie, "REF"),
        (response.json().get("aangemaakt_op", ""), "TIJD"),
        (response.json().get("status_gewijzigd_op", ""), "TIJD"),
    ):
        if value:
            content = content.replace(value.encode(), placeholder.encode())
    return content


def _headers(response) -> dict[str, str]:
    skip = {"X-Request-ID", "Location"}
    return {k: v for k, v in response.headers.items() if k not in skip}


def test_the_answer_is_byte_identical_for_a_known_and_an_unknown_resident(
    huisarts_api, bekende_casus
):
    known = _post(
        huisarts_api, factories.body(inwoner={"achternaam": "Boer", "bsn": factories.BSN})
    )
    unknown = _post(
        huisarts_api, factories.body(inwoner={"achternaam": "Boer", "bsn": factories.BSN_2})
    )
    known_id, unknown_id = known.json()["id"], unknown.json()["id"]
    assert Signaal.objects.get(pk=known_id).casus == bekende_casus  # really matched
    assert Signaal.objects.get(pk=unknown_id).casus is None

    assert known.status_code == unknown.status_code == 201
    assert _headers(known) == _headers(unknown)
    assert _normalised(known, known_id) == _normalised(unknown, unknown_id)

    known_get = huisarts_api.get(f"{URL}/{known_id}")
    unknown_get = huisarts_api.get(f"{URL}/{unknown_id}")
    assert _headers(known_get) == _headers(unknown_get)
    assert _normalised(known_get, known_id) == _normalised(unknown_get, unknown_id)


# -- idempotency -----------------------------------------------------------------------


def test_the_same_key_and_body_give_the_same_answer_and_one_signal(api):
    data = factories.body()
    first = _post(api, data, HTTP_IDEMPOTENCY_KEY="sleutel-1")
    again = _post(api, dict(reversed(list(data.items()))), HTTP_IDEMPOTENCY_KEY="sleutel-1")

    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Signaal.objects.count() == 1


def test_the_same_key_with_another_body_is_a_409_problem(api):
    _post(api, factories.body(), HTTP_IDEMPOTENCY_KEY="sleutel-2")
    response = _post(
        api, factories.body(omschrijving="Iets anders"), HTTP_IDEMPOTENCY_KEY="sleutel-2"
    )

    assert response.status_code == 409
    assert "Idempotency-Key" in _problem(response)["detail"]
    assert Signaal.objects.count() == 1


def test_the_same_key_after_the_status_changed_still_gives_the_first_answer(api, make_user):
    data = factories.anoniem()
    first = _post(api, data, HTTP_IDEMPOTENCY_KEY="sleutel-3")
    signaal_terugkoppelen(
        signaal=Signaal.objects.get(),
        status=Status.AFGEROND,
        bericht="",
        by=make_user(Rol.TEAMLEIDER),
    )
    assert _post(api, data, HTTP_IDEMPOTENCY_KEY="sleutel-3").content == first.content


def test_a_refused_request_does_not_use_up_its_key(api):
    assert _post(api, factories.body(omschrijving=""), HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert _post(api, factories.body(), HTTP_IDEMPOTENCY_KEY="k").status_code == 201


def test_keys_are_per_client(api, api_client_of, inloophuis):
    other = api_client_of(inloophuis, username="tweede-systeem")
    data = factories.anoniem()
    one = _post(api, data, HTTP_IDEMPOTENCY_KEY="gedeeld")
    two = _post(other, data, HTTP_IDEMPOTENCY_KEY="gedeeld")
    assert one.json()["id"] != two.json()["id"]


def test_a_malformed_key_is_refused(api):
    params = _invalid(_post(api, factories.body(), HTTP_IDEMPOTENCY_KEY="x" * 256))
    assert "Idempotency-Key" in params
    assert not Signaal.objects.exists()


# -- rate limits -----------------------------------------------------------------------


def test_a_client_over_its_own_rate_gets_429_and_others_are_not_affected(
    api_client_of, inloophuis, praktijk, settings
):
    slow = api_client_of(inloophuis, username="traag-systeem", rate_limit="3/day")
    other = api_client_of(praktijk, username="ander-systeem")
    codes = [_post(slow, factories.anoniem()).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    response = _post(slow, factories.anoniem())
    assert _problem(response)["title"] == "Te veel verzoeken"
    assert int(response["Retry-After"]) > 0
    assert _post(other, factories.anoniem()).status_code == 201
    assert Signaal.objects.count() == 4


def test_the_default_client_rate_comes_from_the_settings(api, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"api_client": "2/day", "user": "9/day"}
    )
    codes = [api.get(URL).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_person_is_limited_per_user_not_per_client_rate(melder, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"api_client": "1/day", "user": "2/day"}
    )
    person = APIClient()
    verified_login(person, melder)
    codes = [person.get(URL).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_schema_documents_the_endpoints_with_examples(client, db):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    post = schema["paths"]["/api/v1/signalen"]["post"]
    examples = post["requestBody"]["content"]["application/json"]["examples"]
    assert len(examples) >= 4
    assert {"201", "400", "409", "429"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    detail = schema["paths"]["/api/v1/signalen/{id}"]["get"]
    assert detail["parameters"][0]["schema"]["format"] == "uuid"
