"""The melder's pages: "Nieuw signaal" (without JavaScript), its confirmation, "Mijn signalen"."""

from __future__ import annotations

import re

import pytest

from django.core.exceptions import ValidationError

from audit.models import Actie, AuditRecord
from signalen.models import Bron, Signaal, Status
from signalen.services import signaal_receive, signaal_terugkoppelen
from tests.signalen import factories
from toegang.roles import Rol

NIEUW = "/signalen/nieuw/"
MIJN = "/signalen/"


def _form(**overrides):
    data = {
        "toestemming": "met_toestemming",
        "voornaam": "Jan",
        "leefgebieden": ["financien"],
        "omschrijving": "Meneer maakt zich zorgen over zijn huur.",
        "urgentie": "normaal",
        "idempotency_key": "formulier-1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_has_labels_fieldsets_and_no_bsn_for_an_inloophuis(login, melder):
    html = login(melder).get(NIEUW).content.decode()

    assert "<legend>Heeft de inwoner toestemming gegeven?</legend>" in html
    assert "<legend>Waar maakt u zich zorgen over?</legend>" in html
    assert 'name="bsn"' not in html
    for code in ("financien", "wonen", "eenzaamheid", "opvoeden", "school", "overig"):
        assert f'value="{code}"' in html
    assert "0800-2000" in html and "veiligthuis.nl" in html
    ids = re.findall(r'<input[^>]+id="([^"]+)"', html)
    for input_id in ids:
        if input_id.startswith("id_") and "idempotency" not in input_id:
            assert f'for="{input_id}"' in html, input_id


def test_a_gp_sees_the_bsn_field(login, huisarts):
    assert 'name="bsn"' in login(huisarts).get(NIEUW).content.decode()


@pytest.mark.parametrize(
    ("extra", "toestemming"),
    [
        ({}, "met_toestemming"),
        (
            {"toestemming": "zonder_toestemming", "voornaam": None, "buurt": "Centrum"},
            "zonder_toestemming",
        ),
        (
            {"toestemming": "warme_overdracht", "contactroute": "Bel het inloophuis."},
            "warme_overdracht",
        ),
    ],
)
def test_each_consent_mode_posts_and_shows_the_reference(login, melder, extra, toestemming):
    client = login(melder)
    response = client.post(NIEUW, _form(**extra))

    signaal = Signaal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/signalen/ontvangen/{signaal.pk}/"
    assert signaal.toestemming == toestemming
    assert signaal.bron == Bron.FORMULIER
    page = client.get(response["Location"]).content.decode()
    assert signaal.referentie in page
    assert "Signaal ontvangen" in page


def test_a_double_submit_of_the_same_page_makes_one_signal(login, melder):
    client = login(melder)
    first = client.post(NIEUW, _form())
    second = client.post(NIEUW, _form())
    assert first["Location"] == second["Location"]
    assert Signaal.objects.count() == 1


def test_errors_are_shown_per_field_with_a_summary_and_described_inputs(login, melder):
    response = login(melder).post(
        NIEUW,
        _form(
            toestemming="zonder_toestemming",
            omschrijving="",
            leefgebieden=None,
            geboortedatum="30-02-1960",
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert '<a href="#id_omschrijving">Beschrijf kort wat u zag of hoorde.</a>' in html
    assert '<a href="#id_leefgebieden_0">Kies ten minste één leefgebied.</a>' in html
    assert "Zonder toestemming van de inwoner" in html
    assert 'aria-describedby="id_omschrijving_help id_omschrijving_error"' in html
    assert 'aria-invalid="true"' in html
    assert html.startswith("<!DOCTYPE html>") and "<title>Fout: Nieuw signaal" in html
    # what the melder typed is kept
    assert 'value="Jan"' in html
    assert not Signaal.objects.exists()


def test_a_bsn_posted_by_an_inloophuis_is_refused_even_without_the_field(login, melder):
    response = login(melder).post(NIEUW, _form(bsn=factories.BSN, achternaam="Jansen"))
    assert response.status_code == 400
    assert "Uw organisatie mag geen BSN doorgeven" in response.content.decode()
    assert not Signaal.objects.exists()


def test_script_in_the_description_is_escaped_where_it_is_shown(login, melder, make_user):
    text = "<script>alert(1)</script>"
    login(melder).post(NIEUW, _form(omschrijving=text, idempotency_key="x-1"))
    signaal = Signaal.objects.get()
    assert signaal.omschrijving == text
    teamleider = make_user(Rol.TEAMLEIDER)
    html = login(teamleider).get(f"/signalen/aanmeldingen/{signaal.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert text not in html


def test_a_flood_of_form_posts_is_limited_per_user(login, melder, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"api_client": "9/day", "user": "2/day"}
    )
    client = login(melder)
    codes = [client.post(NIEUW, _form(idempotency_key=f"k{i}")).status_code for i in range(3)]
    assert codes == [302, 302, 429]


@pytest.mark.parametrize("rol", [Rol.CONSULENT, Rol.TEAMLEIDER, Rol.PRIVACY_OFFICER])
def test_other_roles_may_not_use_the_melder_pages(login, make_user, rol):
    client = login(make_user(rol))
    assert client.get(NIEUW).status_code == 403
    assert client.post(NIEUW, _form()).status_code == 403
    assert client.get(MIJN).status_code == 403
    assert not Signaal.objects.exists()


# -- Mijn signalen ----------------------------------------------------------------------


def test_mijn_signalen_shows_only_status_and_terugkoppeling_of_the_own_organisation(
    login, melder, huisarts, make_user, inloophuis
):
    collega = factories.melder_of(inloophuis)
    own = signaal_receive(melder=collega, data=factories.body(omschrijving="Inhoud-die-geheim-is"))
    theirs = signaal_receive(melder=huisarts, data=factories.anoniem())
    signaal_terugkoppelen(
        signaal=own,
        status=Status.OPGEPAKT,
        bericht="We <b>bellen</b> hem.",
        by=make_user(Rol.TEAMLEIDER),
    )

    html = login(melder).get(f"{MIJN}?van=organisatie").content.decode()

    assert own.referentie in html
    assert theirs.referentie not in html
    assert "Opgepakt" in html
    assert "We &lt;b&gt;bellen&lt;/b&gt; hem." in html
    for secret in ("Inhoud-die-geheim-is", "de Boer", "financi"):
        assert secret not in html
    assert not re.search(r"\bJan\b", html)
    rec = AuditRecord.objects.filter(actie=Actie.READ, user_id=melder.pk).latest("id")
    assert rec.object_ids == [str(own.pk)]


def test_mijn_signalen_lists_her_own_first_with_the_label_she_chose(login, melder, inloophuis):
    collega = factories.melder_of(inloophuis)
    eigen = signaal_receive(melder=melder, data=factories.body(onderwerp="zorgen over de huur"))
    zonder = signaal_receive(melder=melder, data=factories.anoniem())
    van_collega = signaal_receive(melder=collega, data=factories.anoniem())

    html = login(melder).get(MIJN).content.decode()

    assert "zorgen over de huur" in html
    assert eigen.referentie in html and zonder.referentie in html
    assert van_collega.referentie not in html
    alle = login(melder).get(f"{MIJN}?van=organisatie").content.decode()
    assert van_collega.referentie in alle


def test_a_label_longer_than_60_characters_is_refused(melder):
    with pytest.raises(ValidationError) as info:
        signaal_receive(melder=melder, data=factories.body(onderwerp="x" * 61))
    assert "onderwerp" in info.value.message_dict


def test_mijn_signalen_refreshes_live_on_signal_events(login, melder):
    html = login(melder).get(MIJN).content.decode()
    assert 'data-live-refresh="signaal:*"' in html
    assert 'hx-trigger="live-refresh"' in html


def test_mijn_signalen_looks_the_same_for_a_known_and_an_unknown_resident(
    login, huisarts, bekende_casus
):
    known = signaal_receive(
        melder=huisarts, data=factories.body(inwoner={"achternaam": "Boer", "bsn": factories.BSN})
    )
    client = login(huisarts)
    page_known = client.get(MIJN, HTTP_HX_REQUEST="true").content.decode()
    Signaal.objects.all().delete()
    unknown = signaal_receive(
        melder=huisarts, data=factories.body(inwoner={"achternaam": "Boer", "bsn": factories.BSN_2})
    )
    page_unknown = client.get(MIJN, HTTP_HX_REQUEST="true").content.decode()

    assert known.casus is not None and unknown.casus is None

    def strip(html: str, signaal: Signaal) -> str:
        html = html.replace(signaal.referentie, "REF")
        return re.sub(r"\d{1,2} \w+ \d{4}(, \d{2}:\d{2})?", "DATUM", html)

    assert strip(page_known, known) == strip(page_unknown, unknown)


def test_the_confirmation_of_another_organisation_is_not_found(login, melder, huisarts):
    theirs = signaal_receive(melder=huisarts, data=factories.anoniem())
    assert login(melder).get(f"/signalen/ontvangen/{theirs.pk}/").status_code == 404


def test_the_confirmation_shows_the_veilig_thuis_route_for_a_safety_concern(login, melder):
    client = login(melder)
    response = client.post(NIEUW, _form(veiligheid="on"))
    page = client.get(response["Location"]).content.decode()
    assert "0800-2000" in page and "Zorg om veiligheid" in page
    assert Signaal.objects.get().urgent is True
