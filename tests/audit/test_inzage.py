from __future__ import annotations

import csv
import io
import uuid

from audit.models import Actie, Doel
from audit.services import record
from tests.audit.conftest import BSN
from tests.audit.helpers import assert_audited
from tests.toegang.factories import OrganisatieFactory
from toegang.roles import Rol

URL = "/audit/inzageverzoek/"


def _accesses(make_user, huishouden_id):
    org = OrganisatieFactory(naam="Welzijn Putten")
    user = make_user(Rol.CONSULENT, username="sanne", organisatie=org)
    theirs = [
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
            object_type="plan",
            huishouden_id=huishouden_id,
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


def test_report_lists_who_when_from_where_and_why_only_for_this_resident(
    privacy_officer, login, make_user, resident
):
    theirs = _accesses(make_user, resident[0])
    with assert_audited(
        actie=Actie.READ, object_type="inzageverzoek", doel=Doel.AUDIT, persoon_ids=[resident[1]]
    ):
        response = login(privacy_officer).post(URL, {"bsn": BSN, "formaat": "html"})
    rows = response.context["rows"]
    assert [r.id for r in rows] == [r.pk for r in reversed(theirs)]
    body = response.content.decode()
    assert "Welzijn Putten" in body and "sanne" in body and "casusbehandeling" in body
    assert "geheime notitie" not in body  # no free text, no case content
    with open("audit/static/audit/audit.css", encoding="utf-8") as css:
        assert "@media print" in css.read()


def test_print_is_recorded_as_print(privacy_officer, login, resident):
    with assert_audited(actie=Actie.PRINT, object_type="inzageverzoek"):
        response = login(privacy_officer).post(URL, {"bsn": BSN, "formaat": "afdrukken"})
    assert "audit/js/afdrukken.js" in response.content.decode()  # it opens the print dialog


def test_csv_export(privacy_officer, login, make_user, resident):
    theirs = _accesses(make_user, resident[0])
    with assert_audited(
        actie=Actie.EXPORT,
        object_type="inzageverzoek",
        velden=["csv"],
        object_ids=[r.pk for r in theirs],
    ):
        response = login(privacy_officer).post(URL, {"bsn": BSN, "formaat": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert BSN not in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][:3] == ["Datum en tijd", "Organisatie", "Gebruiker"]
    assert len(lines) == 1 + len(theirs)
    assert lines[1][1:5] == ["Welzijn Putten", "sanne", "Consulent", "gewijzigd"]


def test_pdf_export(privacy_officer, login, make_user, resident):
    _accesses(make_user, resident[0])
    with assert_audited(actie=Actie.EXPORT, object_type="inzageverzoek", velden=["pdf"]):
        response = login(privacy_officer).post(URL, {"bsn": BSN, "formaat": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 1000


def test_report_needs_a_resident(privacy_officer, login, resident):
    response = login(privacy_officer).post(URL, {"formaat": "html"})
    assert "Vul een BSN in" in response.content.decode()
