"""The register of processing (AVG art. 30) covers every field with personal data."""

from __future__ import annotations

import csv
import io

import pytest

from django.apps import apps
from django.core.management import call_command
from django.db import models

from casussen import bewaartermijnen
from toegang import verwerkingsregister as register


def test_every_personal_data_field_has_a_line_in_the_register():
    assert register.ontbrekend() == []


def test_no_line_names_a_field_that_no_longer_exists():
    assert register.verouderd() == []


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("casussen.Gezinslid", "achternaam"),  # sealed name
        ("casussen.Gezinslid", "geboortedatum"),  # sealed date of birth
        ("casussen.Gezinslid", "straat"),  # address
        ("casussen.Gezinslid", "bsn_index"),  # BSN blind index
        ("casussen.TimelineEntry", "tekst"),  # free text
        ("casussen.Meting", "mentaal_welbevinden"),  # health score, plain integer
        ("audit.AuditRecord", "ip_adres"),
        ("audit.AuditRecord", "user_agent"),
        ("audit.AuditRecord", "persoon_ids"),
        ("toegang.User", "email"),
        ("casussen.Vernietigingsitem", "huishouden_id"),
    ],
)
def test_the_walk_recognises_personal_data(label, field):
    assert (label, field) in set(register.persoonsgegevens_velden())


def test_a_new_personal_field_without_a_line_is_reported(monkeypatch):
    """What the guard is for: a field added to a model fails until it is registered."""
    model = apps.get_model("casussen.Gezinslid")
    extra = models.CharField("e-mail inwoner", max_length=100, blank=True)
    extra.set_attributes_from_name("email_inwoner")
    extra.model = model
    monkeypatch.setattr(model._meta, "concrete_fields", (*model._meta.concrete_fields, extra))
    assert register.ontbrekend() == ["casussen.Gezinslid.email_inwoner"]


def test_a_line_for_a_removed_field_is_reported(monkeypatch):
    velden = {**register.REGISTER["casussen.Gezinslid"], "schoenmaat": register.NAAM}
    monkeypatch.setitem(register.REGISTER, "casussen.Gezinslid", velden)
    assert register.verouderd() == ["casussen.Gezinslid.schoenmaat"]


def test_every_line_names_a_known_retention_class_and_resident_classes_exist():
    used = {v.bewaarklasse for velden in register.REGISTER.values() for v in velden.values()}
    assert used <= set(register.BEWAARKLASSEN)
    codes = {k.code for k in bewaartermijnen.tabel()}
    assert {register.Bewaarklasse.SIGNAAL, register.Bewaarklasse.AUDIT} <= codes


def test_command_prints_markdown_with_every_line():
    out = io.StringIO()
    call_command("verwerkingsregister", stdout=out)
    text = out.getvalue()
    assert text.startswith("# Register van verwerkingsactiviteiten (AVG art. 30)")
    assert "| casussen.Gezinslid (gezinslid) | bsn | BSN | Burgerservicenummer |" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) - 1 == sum(len(v) for v in register.REGISTER.values())


def test_command_prints_csv():
    out = io.StringIO()
    call_command("verwerkingsregister", "--format", "csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [
        "Tabel",
        "Veld",
        "Omschrijving",
        "Categorie",
        "Doel",
        "Grondslag",
        "Bewaartermijn",
    ]
    ip = next(r for r in rows if r[0].startswith("audit.AuditRecord") and r[1] == "ip_adres")
    assert ip[3] == "Technische gegevens (IP-adres, browser)"
    assert "NEN 7513" in ip[6]
    assert len(rows) - 1 == sum(len(v) for v in register.REGISTER.values())
