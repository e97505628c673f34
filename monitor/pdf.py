"""The kwartaalrapportage for the council as PDF (fpdf2, as the plan printout).

B1 text, a bar chart and a table per subject, and a note on how the figures are
made and on suppression. Rendered from ``Cijfers`` only: exactly the published cells.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from django.utils import timezone
from django.utils.translation import gettext as _

from casussen.plan.pdf import latin1
from monitor.figures import Cijfers, Tabel
from monitor.projection import DIMENSIES

_BRAND = (0, 69, 122)
_INK = (26, 26, 26)
_TABELLEN = (
    "signalen",
    "soort",
    "toestemming",
    "casus",
    "leefgebied",
    "nieuw",
    "gesloten",
    "open",
    "afsluitreden",
    "trede",
    "plannen",
)


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=9)
        self.cell(
            0,
            10,
            latin1(f"{self.footer_text}   {_('Bladzijde')} {self.page_no()}/{{nb}}"),
            align="C",
        )


class _Rapport:
    def __init__(self, cijfers: Cijfers) -> None:
        self.cijfers = cijfers
        self.pdf = _Document(format="A4")
        self.pdf.set_margins(20, 18, 20)
        self.pdf.set_auto_page_break(auto=True, margin=22)
        self.pdf.set_title(latin1(_("Kwartaalrapportage %(q)s") % {"q": cijfers.kwartaal}))
        self.pdf.set_lang("nl")
        self.pdf.set_creator("Brede Toegang")
        self.pdf.footer_text = latin1(
            _("Kwartaalrapportage Brede Toegang %(q)s") % {"q": cijfers.kwartaal}
        )
        self.pdf.add_page()

    def kop(self, text: str, size: int = 15) -> None:
        self.pdf.ln(3)
        self.pdf.set_font("helvetica", "B", size)
        self.pdf.set_text_color(*_BRAND)
        self.pdf.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_text_color(*_INK)
        self.pdf.ln(1)

    def tekst(self, text: str) -> None:
        self.pdf.set_font("helvetica", "", 11)
        self.pdf.multi_cell(0, 6, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def staven(self, tabel: Tabel) -> None:
        """A bar per row (no bar for a suppressed figure)."""
        pdf = self.pdf
        rijen = [r for r in tabel.rijen if r.niveau != "totaal"]
        top = max([r.waarde or 0 for r in rijen] + [1])
        pdf.set_font("helvetica", "", 9)
        for rij in rijen:
            if pdf.get_y() > 260:
                pdf.add_page()
            y = pdf.get_y()
            pdf.set_x(pdf.l_margin)
            pdf.cell(55, 5, latin1(rij.label[:34]))
            if rij.waarde is None:
                pdf.cell(30, 5, latin1(f"< {self.cijfers.drempel}"))
            else:
                breedte = 95 * rij.waarde / top
                pdf.set_fill_color(*_BRAND)
                if breedte:
                    pdf.rect(pdf.l_margin + 56, y + 1, breedte, 3.5, style="F")
                pdf.set_x(pdf.l_margin + 58 + breedte)
                pdf.cell(20, 5, str(rij.waarde))
            pdf.ln(5.5)
        pdf.ln(2)

    def tabel(self, tabel: Tabel) -> None:
        k = self.cijfers.drempel
        self.pdf.set_font("helvetica", size=10)
        with self.pdf.table(
            col_widths=(120, 50), line_height=5.5, first_row_as_headings=True, text_align="LEFT"
        ) as t:
            for values in [
                (_("Omschrijving"), _("Aantal")),
                *((r.label, f"< {k}" if r.waarde is None else str(r.waarde)) for r in tabel.rijen),
            ]:
                row = t.row()
                for value in values:
                    row.cell(latin1(value))
        self.pdf.ln(3)


def kwartaal_pdf(cijfers: Cijfers) -> bytes:
    r = _Rapport(cijfers)
    q, k = cijfers.kwartaal, cijfers.drempel
    r.kop(_("Brede Toegang: kwartaalrapportage %(q)s") % {"q": q}, size=18)
    r.tekst(
        _(
            "In dit verslag staat hoe vaak partners een zorg over een inwoner doorgaven, in "
            "welke buurten, "
            "en wat daarna gebeurde. Het gaat om aantallen. U kunt er geen inwoner in terugvinden. "
            "Gemaakt op %(d)s."
        )
        % {"d": timezone.localdate().strftime("%d-%m-%Y")}
    )
    r.kop(_("Hoe lang duurde het?"), size=13)
    for label, waarde in (
        (_("Van signaal tot aanspreekpunt (mediaan)"), cijfers.mediaan_aanspreekpunt),
        (_("Van signaal tot eerste gesprek (mediaan)"), cijfers.mediaan_gesprek),
    ):
        r.tekst(
            f"{label}: "
            + (
                _("te weinig casussen om te tonen")
                if waarde is None
                else _("%(d)s dagen") % {"d": waarde}
            )
        )
    for naam in _TABELLEN:
        tabel = cijfers.tabellen[naam]
        r.kop(tabel.titel, size=13)
        r.staven(tabel)
        r.tabel(tabel)
    r.kop(_("Positieve Gezondheid"), size=13)
    r.tekst(
        _(
            "Gemiddelde verandering tussen de eerste en de laatste meting (schaal 0 tot 10), "
            "bij casussen met minstens twee metingen."
        )
    )
    for dim in DIMENSIES:
        tabel = cijfers.tabellen[f"gezondheid:{dim}"]
        waarde = cijfers.gezondheid[dim]
        r.tekst(
            f"{tabel.titel}: "
            + (_("te weinig metingen") if waarde is None else f"{waarde:+.1f}".replace(".", ","))
        )
        r.tabel(tabel)
    r.kop(_("Hoe komen deze cijfers tot stand?"), size=13)
    r.tekst(
        _(
            "De cijfers komen uit de gebeurtenissen die het systeem vastlegt, zoals een "
            "nieuw signaal of een "
            "afgesloten casus. Er worden geen namen, adressen of verhalen gebruikt. De buurt "
            "komt uit het adres "
            "van het huishouden, of anders uit het signaal of de buurt van de partner."
        )
    )
    r.tekst(
        _(
            "Kleine aantallen (minder dan %(k)s) laten we niet zien: daar staat '< %(k)s'. "
            "Soms verbergen we ook "
            "een groter aantal, zodat u het kleine aantal niet kunt uitrekenen uit een "
            "totaal, een andere rij of "
            "een ander kwartaal."
        )
        % {"k": k}
    )
    return bytes(r.pdf.output())
