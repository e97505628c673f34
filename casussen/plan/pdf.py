"""The resident's plan as a PDF (fpdf2), rendered from an ``Afdruk`` only.

Uses fpdf2's built-in Helvetica, so no font files ship with the app; text is
mapped to Latin-1 first (typographic quotes and dashes to plain ones, other
characters to their closest plain letter), which covers written Dutch.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from django.utils.translation import gettext as _

from casussen.plan.afdruk import Afdruk, AfdrukDoel
from toegang.datums import datum

_REPLACEMENTS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u20ac": "EUR",
        "\u2192": "->",
        "\u00a0": " ",
    }
)

_BRAND = (0, 69, 122)
_INK = (26, 26, 26)


def latin1(text: str) -> str:
    """``text`` in the core font's Latin-1, keeping accented Dutch letters."""
    text = text.translate(_REPLACEMENTS)
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            plain = (
                unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            )
            out.append(plain or "?")
    return "".join(out)


def _datum(value: date | None) -> str:
    return datum(value) or "-"


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=9)
        self.set_text_color(*_INK)
        text = f"{self.footer_text}   {_('Bladzijde')} {self.page_no()}/{{nb}}"
        self.cell(0, 10, latin1(text), align="C")


class _Writer:
    def __init__(self, afdruk: Afdruk) -> None:
        self.afdruk = afdruk
        self.pdf = _Document(format="A4")
        self.pdf.set_margins(20, 18, 20)
        self.pdf.set_auto_page_break(auto=True, margin=22)
        self.pdf.set_title(latin1(_("Uw plan")))
        self.pdf.set_lang("nl")
        self.pdf.set_creator("Brede Toegang")
        self.pdf.footer_text = latin1(
            _("Uw plan, gemaakt op %(datum)s") % {"datum": _datum(afdruk.afgedrukt_op)}
        )
        self.pdf.add_page()

    def heading(self, text: str, size: int = 15) -> None:
        self.pdf.ln(3)
        self.pdf.set_font("helvetica", "B", size)
        self.pdf.set_text_color(*_BRAND)
        self.pdf.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_text_color(*_INK)
        self.pdf.ln(1)

    def para(self, text: str, style: str = "") -> None:
        self.pdf.set_font("helvetica", style, 12)
        self.pdf.multi_cell(0, 6.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def item(self, title: str, lines: list[tuple[str, str]]) -> None:
        """One action: a bullet with its text, then label: value lines, indented."""
        pdf = self.pdf
        pdf.set_font("helvetica", "B", 12)
        pdf.set_x(pdf.l_margin + 2)
        pdf.multi_cell(0, 6.5, latin1(f"- {title}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("helvetica", "", 12)
        for label, value in lines:
            pdf.set_x(pdf.l_margin + 6)
            pdf.multi_cell(0, 6.5, latin1(f"{label} {value}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    def table(
        self, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], widths: tuple[int, ...]
    ) -> None:
        self.pdf.set_font("helvetica", size=11)
        with self.pdf.table(
            col_widths=widths, line_height=6.5, first_row_as_headings=True, text_align="LEFT"
        ) as table:
            for values in [header, *rows]:
                row = table.row()
                for value in values:
                    row.cell(latin1(value))
        self.pdf.ln(3)


def _intro(writer: _Writer, afdruk: Afdruk) -> None:
    writer.heading(_("Uw plan"), size=20)
    writer.para(", ".join(afdruk.namen) if afdruk.namen else _("Uw huishouden"), style="B")
    writer.para(
        _(
            "Dit is het plan dat u samen met %(naam)s van %(organisatie)s heeft gemaakt. "
            "In dit plan staat wat u wilt bereiken en wie wat doet."
        )
        % {"naam": afdruk.contactpersoon, "organisatie": afdruk.organisatie}
    )
    if afdruk.afgesproken_op:
        writer.para(
            _("We hebben dit plan samen afgesproken op %(datum)s.")
            % {"datum": _datum(afdruk.afgesproken_op)}
        )
    else:
        writer.para(_("Dit plan is nog niet klaar. We bespreken het samen met u."))
    writer.para(_("Het plan loopt vanaf %(datum)s.") % {"datum": _datum(afdruk.startdatum)})


def _doel(writer: _Writer, number: int, doel: AfdrukDoel) -> None:
    writer.heading(_("Doel %(nummer)s") % {"nummer": number}, size=13)
    writer.para(doel.tekst, style="B")
    if doel.voor_wie:
        writer.para(_("Voor: %(namen)s") % {"namen": ", ".join(doel.voor_wie)})
    if doel.uitkomst:
        writer.para(_("Hoe ging het: %(uitkomst)s") % {"uitkomst": doel.uitkomst})
    if not doel.acties:
        writer.para(_("Wat we gaan doen, spreken we nog af."))
        return
    writer.para(_("Wat gaan we doen?"), style="B")
    for actie in doel.acties:
        writer.item(
            actie.wat,
            [
                (_("Wie doet het?"), actie.wie),
                (_("Klaar op"), _datum(actie.wanneer)),
                (_("Hoe staat het?"), actie.stand),
            ],
        )


def _scores(writer: _Writer, afdruk: Afdruk) -> None:
    if not afdruk.scores:
        return
    writer.heading(_("Hoe gaat het met u?"))
    writer.para(
        _("U gaf uzelf een cijfer van 0 tot 10. Een 0 is heel slecht, een 10 is heel goed.")
    )
    header: tuple[str, ...] = (
        _("Onderwerp"),
        _("Eerst (%(datum)s)") % {"datum": _datum(afdruk.eerste_meting)},
    )
    rows: list[tuple[str, ...]]
    if afdruk.laatste_meting and afdruk.laatste_meting != afdruk.eerste_meting:
        header += (_("Nu (%(datum)s)") % {"datum": _datum(afdruk.laatste_meting)},)
        rows = [(s.onderwerp, _cijfer(s.eerst), _cijfer(s.nu)) for s in afdruk.scores]
        widths: tuple[int, ...] = (80, 45, 45)
    else:
        rows = [(s.onderwerp, _cijfer(s.eerst)) for s in afdruk.scores]
        widths = (110, 60)
    writer.table(header, rows, widths=widths)


def _cijfer(value: int | None) -> str:
    return "-" if value is None else str(value)


def plan_pdf(afdruk: Afdruk) -> bytes:
    """The PDF bytes of the resident's plan."""
    writer = _Writer(afdruk)
    _intro(writer, afdruk)
    writer.heading(_("Wat wilt u bereiken?"))
    if not afdruk.doelen:
        writer.para(_("Er staan nog geen doelen in het plan."))
    for number, doel in enumerate(afdruk.doelen, start=1):
        _doel(writer, number, doel)
    _scores(writer, afdruk)
    writer.heading(_("Vragen?"))
    writer.para(
        _("Heeft u vragen over dit plan? Neem dan contact op met %(naam)s.")
        % {"naam": afdruk.contactpersoon}
    )
    return bytes(writer.pdf.output())
