"""The inzageverzoek report (AVG art. 15): who accessed a resident's data.

When, which organisation and user (with role), what they did, with which kind of
data and for what purpose. No case content, no free-text reasons, no ids of
other residents. As rows for the printable page, CSV and PDF.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie, Doel, Uitkomst
from audit.selectors import Filters, records_matching
from audit.subjects import Subject
from toegang.roles import Rol

#: More than this is still exported in full, but the page shows the newest ones.
PAGE_LIMIT = 2000


@dataclass(frozen=True)
class Regel:
    id: int
    occurred_at: datetime
    organisatie: str
    gebruiker: str
    rol: str
    actie: str
    doel: str
    gegevens: str
    noodtoegang: bool
    uitkomst: str

    @property
    def moment(self) -> str:
        return timezone.localtime(self.occurred_at).strftime("%d-%m-%Y %H:%M:%S")

    def cells(self) -> list[str]:
        return [
            self.moment,
            self.organisatie,
            self.gebruiker,
            self.rol,
            self.actie,
            self.doel,
            self.gegevens,
            _("ja") if self.noodtoegang else _("nee"),
            self.uitkomst,
        ]


def headers() -> list[str]:
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


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def regels(subject: Subject, *, limit: int | None = None) -> Iterator[Regel]:
    """The accesses to this resident's data, newest first."""
    queryset = records_matching(Filters(subject=subject)).values_list(
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
    )
    if limit is not None:
        queryset = queryset[:limit]
    for rid, at, org, user, rol, actie, doel, soort, nood, uitkomst in queryset.iterator(
        chunk_size=2000
    ):
        yield Regel(
            id=rid,
            occurred_at=at,
            organisatie=org,
            gebruiker=user,
            rol=_label(Rol, rol) if rol else "",
            actie=_label(Actie, actie),
            doel=_label(Doel, doel),
            gegevens=soort,
            noodtoegang=nood,
            uitkomst=_label(Uitkomst, uitkomst),
        )


def as_csv(rows: Iterator[Regel]) -> Iterator[str]:
    """CSV lines (semicolon, as Dutch spreadsheets expect), header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers())
    yield "\ufeff" + buffer.getvalue()
    for regel in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(regel.cells())
        yield buffer.getvalue()


def as_pdf(rows: list[Regel], *, gemaakt_door: str) -> bytes:
    """A landscape A4 PDF with a title, the period and a table of the accesses."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_("Inzageverzoek: overzicht van toegang tot gegevens"))
    pdf.set_creator("Brede Toegang")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(
        0,
        9,
        _latin1(_("Inzageverzoek: wie heeft uw gegevens ingezien?")),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 10)
    intro = _(
        "Overzicht van alle keren dat medewerkers gegevens over u hebben ingezien of "
        "gewijzigd (AVG artikel 15). Gemaakt op %(moment)s door %(door)s. Aantal regels: "
        "%(n)d."
    ) % {
        "moment": timezone.localtime().strftime("%d-%m-%Y %H:%M"),
        "door": gemaakt_door,
        "n": len(rows),
    }
    pdf.multi_cell(0, 5, _latin1(intro), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 8)
    widths = (32, 45, 30, 26, 24, 30, 36, 20, 22)
    with pdf.table(col_widths=widths, text_align="LEFT", repeat_headings=1) as table:
        table.row([_latin1(h) for h in headers()])
        for regel in rows:
            table.row([_latin1(c) for c in regel.cells()])
    return bytes(pdf.output())


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; Dutch text fits, anything else is replaced.
    return text.encode("latin-1", "replace").decode("latin-1")
