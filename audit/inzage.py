"""The inzageverzoek report (AVG art. 15): who accessed a resident's data.

Two versions from the same rows:

* **for the resident** (``rapport``), in plain Dutch (B1): the resident's name
  on top, then per organisation and function (never a staff member's username),
  each access with its date, what happened, which kind of data and why, in
  plain words. The privacy officer's own handling of requests (doel ``audit``)
  is left out. Page, CSV and PDF are rendered from one ``Rapport``, so they
  hold the same accesses and the same count;
* **internal** (``regels`` with ``intern=True``), for the privacy officer: one
  row per record with username, role and the internal labels.

No case content and no free-text reasons in either; no ids of other residents.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Actie, Doel, Uitkomst
from audit.selectors import Filters, records_matching
from audit.subjects import Subject, resident_name
from toegang.roles import Rol

#: More than this is still exported in full, but the internal page shows the newest ones.
PAGE_LIMIT = 2000

SYSTEEM = "systeem"

# --- plain words for the resident (B1) ---------------------------------------

_WAT: dict[str, Any] = {
    Actie.CREATE: gettext_lazy("heeft gegevens vastgelegd"),
    Actie.READ: gettext_lazy("heeft gegevens bekeken"),
    Actie.UPDATE: gettext_lazy("heeft gegevens veranderd"),
    Actie.DELETE: gettext_lazy("heeft gegevens verwijderd"),
    Actie.EXPORT: gettext_lazy("heeft gegevens gedownload"),
    Actie.PRINT: gettext_lazy("heeft gegevens afgedrukt"),
    Actie.DENY: gettext_lazy("wilde gegevens bekijken, maar mocht dat niet"),
    Actie.NOODTOEGANG: gettext_lazy("heeft met spoed toegang gekregen"),
    Actie.SHRED: gettext_lazy("heeft gegevens vernietigd"),
}
_WAT_MELDING = gettext_lazy("heeft een melding over u gedaan")
_WAT_KOPPELING = gettext_lazy("heeft een melding bij uw gegevens gezet")

_WAAROM: dict[str, Any] = {
    Doel.CASUSBEHANDELING: gettext_lazy("om u te helpen"),
    Doel.INTAKE: gettext_lazy("om een nieuwe melding over u te bekijken"),
    Doel.SIGNALERING: gettext_lazy("om zorgen over u door te geven"),
    Doel.NOODTOEGANG: gettext_lazy("omdat er met spoed hulp nodig was"),
    Doel.BEHEER: gettext_lazy("voor het beheer van het systeem"),
    Doel.BELEID: gettext_lazy("voor cijfers over de hulp in de gemeente"),
    Doel.AUTHENTICATIE: gettext_lazy("bij het inloggen"),
    Doel.OVERLEG: gettext_lazy("om met andere organisaties te overleggen over hulp voor u"),
}

#: (part of the object type, kind of data). The first match wins.
_GEGEVENS = (
    ("signa", gettext_lazy("een melding over u")),
    ("aanmelding", gettext_lazy("een melding over u")),
    ("plan", gettext_lazy("uw plan")),
    ("doel", gettext_lazy("uw plan")),
    ("actie", gettext_lazy("uw plan")),
    ("meting", gettext_lazy("uw plan")),
    ("gezinslid", gettext_lazy("gegevens over u of uw gezin")),
    ("huishouden", gettext_lazy("gegevens over u of uw gezin")),
    ("casus", gettext_lazy("uw dossier")),
)
_GEGEVENS_ANDERS = gettext_lazy("uw gegevens")
_LIJST = gettext_lazy("een lijst waarop u stond")

_FUNCTIE: dict[str, Any] = {
    Rol.CONSULENT: gettext_lazy("Hulpverlener (consulent)"),
    Rol.TEAMLEIDER: gettext_lazy("Teamleider"),
    Rol.MELDER: gettext_lazy("Medewerker die een melding deed"),
    Rol.PRIVACY_OFFICER: gettext_lazy("Functionaris gegevensbescherming"),
    Rol.BELEIDSADVISEUR: gettext_lazy("Beleidsmedewerker"),
    Rol.BEHEERDER: gettext_lazy("Beheerder"),
}
_SYSTEEM_ORGANISATIE = gettext_lazy("Brede Toegang (het computersysteem)")
_SYSTEEM_FUNCTIE = gettext_lazy("Automatisch, door het systeem")
_ONBEKEND = gettext_lazy("Onbekend")


def _gegevens(object_type: str, is_lijst: bool) -> str:
    if is_lijst:
        return str(_LIJST)
    soort = object_type.lower()
    return str(next((label for key, label in _GEGEVENS if key in soort), _GEGEVENS_ANDERS))


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@dataclass(frozen=True)
class Regel:
    """One access to the resident's data."""

    id: int
    occurred_at: datetime
    organisatie: str
    gebruiker: str
    rol_code: str
    actie_code: str
    doel_code: str
    object_type: str
    noodtoegang: bool
    uitkomst_code: str
    door_systeem: bool
    is_lijst: bool

    @property
    def moment(self) -> str:
        return timezone.localtime(self.occurred_at).strftime("%d-%m-%Y %H:%M:%S")

    @property
    def datum(self) -> str:
        return timezone.localtime(self.occurred_at).strftime("%d-%m-%Y %H:%M")

    # internal labels
    @property
    def rol(self) -> str:
        return _label(Rol, self.rol_code) if self.rol_code else ""

    def cells(self) -> list[str]:
        """The internal row (privacy officer)."""
        return [
            self.moment,
            self.organisatie,
            self.gebruiker,
            self.rol,
            _label(Actie, self.actie_code),
            _label(Doel, self.doel_code),
            self.object_type,
            _("ja") if self.noodtoegang else _("nee"),
            _label(Uitkomst, self.uitkomst_code),
        ]

    # plain words (resident)
    @property
    def organisatie_voor_inwoner(self) -> str:
        if self.door_systeem:
            return str(_SYSTEEM_ORGANISATIE)
        return self.organisatie or str(_ONBEKEND)

    @property
    def functie(self) -> str:
        if self.door_systeem:
            return str(_SYSTEEM_FUNCTIE)
        return str(_FUNCTIE.get(self.rol_code, _ONBEKEND))

    @property
    def wat(self) -> str:
        if self.object_type == "signaal" and self.actie_code == Actie.CREATE:
            return str(_WAT_MELDING)
        if self.door_systeem and self.doel_code == Doel.SIGNALERING:
            return str(_WAT_KOPPELING)
        return str(_WAT.get(self.actie_code, _WAT[Actie.READ]))

    @property
    def gegevens(self) -> str:
        return _gegevens(self.object_type, self.is_lijst)

    @property
    def waarom(self) -> str:
        if self.noodtoegang:
            return str(_WAAROM[Doel.NOODTOEGANG])
        return str(_WAAROM.get(self.doel_code, _WAAROM[Doel.CASUSBEHANDELING]))

    def cells_voor_inwoner(self) -> list[str]:
        return [self.datum, self.wat, self.gegevens, self.waarom]


def headers() -> list[str]:
    """The columns of the internal version."""
    return [
        _("Datum en tijd"),
        _("Organisatie"),
        _("Gebruiker"),
        _("Rol"),
        _("Handeling"),
        _("Doel"),
        _("Soort gegevens"),
        _("Noodtoegang"),
        _("Uitkomst"),
    ]


def headers_voor_inwoner() -> list[str]:
    return [_("Datum"), _("Wat er gebeurde"), _("Welke gegevens"), _("Waarom")]


def regels(subject: Subject, *, limit: int | None = None, intern: bool = False) -> Iterator[Regel]:
    """The accesses to this resident's data, newest first.

    Without ``intern`` the privacy officer's own handling (doel ``audit``) is left out.
    """
    queryset = records_matching(Filters(subject=subject))
    if not intern:
        queryset = queryset.exclude(doel=Doel.AUDIT)
    rows = queryset.values_list(
        "id",
        "occurred_at",
        "organisatie_naam",
        "username",
        "rol",
        "actie",
        "doel",
        "object_type",
        "noodtoegang",
        "uitkomst",
        "user_id",
        "huishouden_id",
    )
    if limit is not None:
        rows = rows[:limit]
    own = set(subject.huishouden_ids)
    for rid, at, org, user, rol, actie, doel, soort, nood, uitkomst, uid, hh in rows.iterator(
        chunk_size=2000
    ):
        yield Regel(
            id=rid,
            occurred_at=at,
            organisatie=org,
            gebruiker=user,
            rol_code=rol,
            actie_code=actie,
            doel_code=doel,
            object_type=soort,
            noodtoegang=nood,
            uitkomst_code=uitkomst,
            door_systeem=uid is None and user.startswith(SYSTEEM),
            is_lijst=hh is None or str(hh) not in own,
        )


@dataclass
class Groep:
    organisatie: str
    functie: str
    regels: list[Regel] = field(default_factory=list)


@dataclass
class Rapport:
    """The resident's report: one source for page, CSV and PDF."""

    naam: str
    groepen: list[Groep]
    gemaakt: datetime

    @property
    def aantal(self) -> int:
        return sum(len(g.regels) for g in self.groepen)

    @property
    def ids(self) -> list[int]:
        return [r.id for g in self.groepen for r in g.regels]


def rapport(subject: Subject) -> Rapport:
    """Every access, grouped by organisation and function (groups by first access, newest
    first; accesses newest first within a group)."""
    groepen: dict[tuple[str, str], Groep] = {}
    for regel in regels(subject):
        key = (regel.organisatie_voor_inwoner, regel.functie)
        groepen.setdefault(key, Groep(*key)).regels.append(regel)
    return Rapport(
        naam=resident_name(subject), groepen=list(groepen.values()), gemaakt=timezone.localtime()
    )


def _intro(rapport: Rapport) -> str:
    return _(
        "U vroeg ons wie uw gegevens heeft gebruikt. Hieronder staat elke keer dat iemand "
        "uw gegevens bekeek of veranderde, per organisatie en functie. Namen van "
        "medewerkers staan er niet in. In totaal: %(n)d keer."
    ) % {"n": rapport.aantal}


def rapport_csv(rapport: Rapport) -> Iterator[str]:
    """CSV lines (semicolon, as Dutch spreadsheets expect): one line per access."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("Organisatie"), _("Functie"), *headers_voor_inwoner()])
    yield "\ufeff" + buffer.getvalue()
    for groep in rapport.groepen:
        for regel in groep.regels:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([groep.organisatie, groep.functie, *regel.cells_voor_inwoner()])
            yield buffer.getvalue()


def rapport_pdf(rapport: Rapport) -> bytes:
    """A4 PDF: the resident's name, a short explanation, then one table per group."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(_("Wie heeft uw gegevens gebruikt?"))
    pdf.set_creator("Brede Toegang")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, _latin1(_("Wie heeft uw gegevens gebruikt?")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, _latin1(rapport.naam), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    gemaakt = _("Gemaakt op %(moment)s.") % {"moment": rapport.gemaakt.strftime("%d-%m-%Y")}
    pdf.multi_cell(0, 5, _latin1(f"{_intro(rapport)} {gemaakt}"), new_x="LMARGIN", new_y="NEXT")
    for groep in rapport.groepen:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        titel = f"{groep.organisatie}: {groep.functie} ({len(groep.regels)})"
        pdf.multi_cell(0, 6, _latin1(titel), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        with pdf.table(col_widths=(28, 60, 45, 57), text_align="LEFT", repeat_headings=1) as table:
            table.row([_latin1(h) for h in headers_voor_inwoner()])
            for regel in groep.regels:
                table.row([_latin1(c) for c in regel.cells_voor_inwoner()])
    return bytes(pdf.output())


def as_csv(rows: Iterator[Regel]) -> Iterator[str]:
    """The internal version as CSV lines, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers())
    yield "\ufeff" + buffer.getvalue()
    for regel in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(regel.cells())
        yield buffer.getvalue()


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; Dutch text fits, anything else is replaced.
    return text.encode("latin-1", "replace").decode("latin-1")
