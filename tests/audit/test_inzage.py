"""The inzageverzoek: the resident's report in plain Dutch, the same in page, CSV and
PDF, and the privacy officer's internal version with usernames."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from pypdf import PdfReader

from audit.models import Actie, Doel, Uitkomst
from audit.services import record
from audit.subjects import register_resident_name
from tests.audit.conftest import BSN
from tests.audit.helpers import assert_audited
from tests.toegang.factories import OrganisatieFactory
from toegang.roles import Rol

URL = "/audit/inzageverzoek/"
INTERNAL_TERMS = ("casusbehandeling", "auditregel", "planversie", "inzageverzoek", "signalering")
MOMENT = re.compile(r"\d\d-\d\d-\d{4} \d\d:\d\d")


@pytest.fixture(autouse=True)
def resident_name():
    previous = register_resident_name(lambda persoon_ids: "Fatma de Boer")
    yield
    register_resident_name(previous)


def _accesses(make_user, huishouden_id):
    org = OrganisatieFactory(naam="Welzijn Putten")
    user = make_user(Rol.CONSULENT, username="sanne", organisatie=org)
    huisarts = make_user(Rol.MELDER, username="dokter-jansen", organisatie=org)
    theirs = [
        record(
            actor=huisarts,
            actie=Actie.CREATE,
            doel=Doel.SIGNALERING,
            object_type="signaal",
            object_id=uuid.uuid4(),
            huishouden_id=huishouden_id,
        ),
        record(
            actor=None,
            trigger=huisarts,
            actie=Actie.UPDATE,
            doel=Doel.SIGNALERING,
            object_type="huishouden",
            huishouden_id=huishouden_id,
            reden="matching",
        ),
        record(
            actor=user,
            actie=Actie.READ,
            doel=Doel.CASUSBEHANDELING,
            object_type="casus",
            object_id=uuid.uuid4(),
            huishouden_id=huishouden_id,
            reden="geheime notitie",
        ),
        record(
            actor=user,
            actie=Actie.UPDATE,
            doel=Doel.CASUSBEHANDELING,
            object_type="planversie",
            huishouden_id=huishouden_id,
        ),
        record(  # a list that showed this household among others
            actor=user,
            actie=Actie.READ,
            doel=Doel.CASUSBEHANDELING,
            object_type="casus",
            object_ids=[uuid.uuid4(), uuid.uuid4()],
            huishouden_ids=[huishouden_id, uuid.uuid4()],
        ),
        record(  # a refused attempt on this resident's casus
            actor=make_user(Rol.CONSULENT, username="nieuwsgierig"),
            actie=Actie.DENY,
            doel=Doel.CASUSBEHANDELING,
            object_type="casussen:casus",
            huishouden_id=huishouden_id,
            uitkomst=Uitkomst.DENIED,
        ),
    ]
    record(
        actor=user,
        actie=Actie.READ,
        doel=Doel.CASUSBEHANDELING,
        object_type="casus",
        huishouden_id=uuid.uuid4(),
    )
    return theirs


def _page_count(response) -> int:
    body = response.content.decode()
    rows = len(re.findall(r"<tr><td>", body))
    total = int(re.search(r'data-aantal="(\d+)"', body).group(1))
    assert rows == total
    return total


def _csv_lines(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_residents_report_is_addressed_to_them_grouped_and_in_plain_words(
    privacy_officer, login, make_user, resident
):
    theirs = _accesses(make_user, resident[0])
    with assert_audited(
        actie=Actie.READ, object_type="inzageverzoek", doel=Doel.AUDIT, persoon_ids=[resident[1]]
    ):
        response = login(privacy_officer).post(URL, {"bsn": BSN, "formaat": "html"})
    rapport = response.context["rapport"]
    assert sorted(rapport.ids) == sorted(r.pk for r in theirs)
    body = response.content.decode()
    assert body.index("Fatma de Boer") < body.index("<table")
    groepen = [(g.organisatie, g.functie, len(g.regels)) for g in rapport.groepen]
    assert ("Welzijn Putten", "Hulpverlener (consulent)", 3) in groepen
    assert len(groepen) == 4  # and the refused attempt from the other organisation
    assert ("Welzijn Putten", "Medewerker die een melding deed", 1) in groepen
    assert ("Brede Toegang (het computersysteem)", "Automatisch, door het systeem", 1) in groepen
    for text in ("heeft een melding over u gedaan", "een lijst waarop u stond", "uw plan"):
        assert text in body
    assert "wilde gegevens bekijken, maar mocht dat niet" in body
    assert "heeft gegevens bekeken" in body
    report = body[body.index("<h1>") : body.index("</main>")]  # without the officer's menu
    report = re.sub(r'<form method="post".*?</form>', "", report, flags=re.S)
    for hidden in ("sanne", "dokter-jansen", "nieuwsgierig", "geheime notitie", *INTERNAL_TERMS):
        assert hidden not in report.lower()


def test_the_privacy_officers_own_handling_is_not_in_the_residents_report(
    privacy_officer, login, make_user, resident
):
    theirs = _accesses(make_user, resident[0])
    client = login(privacy_officer)
    client.post(URL, {"bsn": BSN, "formaat": "html"})
    client.post(URL, {"bsn": BSN, "formaat": "csv"})
    again = client.post(URL, {"bsn": BSN, "formaat": "html"})
    assert _page_count(again) == len(theirs)
    assert "Functionaris gegevensbescherming" not in again.content.decode()


def test_page_csv_and_pdf_hold_the_same_accesses(privacy_officer, login, make_user, resident):
    theirs = _accesses(make_user, resident[0])
    client = login(privacy_officer)
    page = _page_count(client.post(URL, {"bsn": BSN, "formaat": "html"}))
    with assert_audited(
        actie=Actie.EXPORT,
        object_type="inzageverzoek",
        velden=["csv"],
        object_ids=sorted(r.pk for r in theirs),
    ):
        lines = _csv_lines(client.post(URL, {"bsn": BSN, "formaat": "csv"}))
    with assert_audited(actie=Actie.EXPORT, object_type="inzageverzoek", velden=["pdf"]):
        response = client.post(URL, {"bsn": BSN, "formaat": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    pdf = _pdf_text(response)
    assert page == len(lines) - 1 == len(MOMENT.findall(pdf)) == len(theirs)
    assert "Fatma de Boer" in pdf and f"In totaal: {len(theirs)} keer" in pdf.replace("\n", " ")
    assert lines[0] == [
        "Organisatie",
        "Functie",
        "Datum",
        "Wat er gebeurde",
        "Welke gegevens",
        "Waarom",
    ]
    assert "sanne" not in "".join(";".join(line) for line in lines) + pdf


def test_the_internal_version_has_usernames_and_every_record(
    privacy_officer, login, make_user, resident
):
    theirs = _accesses(make_user, resident[0])
    client = login(privacy_officer)
    client.post(URL, {"bsn": BSN, "formaat": "html"})  # the officer's own look-up
    response = client.post(URL, {"bsn": BSN, "formaat": "intern"})
    rows = response.context["rows"]
    assert len(rows) == len(theirs) + 1
    body = response.content.decode()
    assert "sanne" in body and "casusbehandeling" in body and "geheime notitie" not in body
    with assert_audited(actie=Actie.EXPORT, object_type="inzageverzoek", velden=["intern", "csv"]):
        lines = _csv_lines(client.post(URL, {"bsn": BSN, "formaat": "intern_csv"}))
    assert lines[0][:3] == ["Datum en tijd", "Organisatie", "Gebruiker"]
    assert len(lines) == 1 + len(theirs) + 2  # plus the two look-ups before this export


def test_print_is_recorded_as_print(privacy_officer, login, resident):
    with assert_audited(actie=Actie.PRINT, object_type="inzageverzoek"):
        response = login(privacy_officer).post(URL, {"bsn": BSN, "formaat": "afdrukken"})
    assert "audit/js/afdrukken.js" in response.content.decode()  # it opens the print dialog
    with open("audit/static/audit/audit.css", encoding="utf-8") as css:
        assert "@media print" in css.read()


def test_report_needs_a_resident(privacy_officer, login, resident):
    response = login(privacy_officer).post(URL, {"formaat": "html"})
    assert "Vul een BSN in" in response.content.decode()
