"""The resident's plan as a PDF (fpdf2), rendered from an ``Afdruk`` only.

Uses fpdf2's built-in Helvetica, so no font files ship with the app; text is
mapped to Latin-1 first (typographic quotes and dashes to plain ones, other
characters to their closest plain letter), which covers written Dutch.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

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
_LOGO_MM = 18.0


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
        self.letterhead()

    def letterhead(self) -> None:
        """The municipality's logo and name (settings GEMEENTE_LOGO, GEMEENTE_NAAM)."""
        pdf, afdruk = self.pdf, self.afdruk
        if not (afdruk.gemeente or afdruk.logo):
            return
        top = pdf.get_y()
        x = pdf.l_margin
        if afdruk.logo and Path(afdruk.logo).is_file():
            pdf.image(afdruk.logo, x=x, y=top, h=_LOGO_MM)
            x += _LOGO_MM + 4
        pdf.set_xy(x, top + _LOGO_MM / 2 - 4)
        pdf.set_font("helvetica", "B", 16)
        pdf.set_text_color(*_BRAND)
        pdf.cell(0, 8, latin1(afdruk.gemeente))
        pdf.set_text_color(*_INK)
        pdf.set_draw_color(*_BRAND)
        pdf.set_line_width(0.6)
        line_y = top + _LOGO_MM + 3
        pdf.line(pdf.l_margin, line_y, pdf.w - pdf.r_margin, line_y)
        pdf.set_xy(pdf.l_margin, line_y + 4)

    def spinnenweb(self, scores: Sequence[Any], labels: tuple[str, str | None]) -> None:
        """The spider web of the six scores (0-10): first measurement, and now if there is one."""
        pdf = self.pdf
        size = 70.0
        if pdf.get_y() + size + 30 > pdf.h - pdf.b_margin:
            pdf.add_page()
        cx, cy = pdf.w / 2, pdf.get_y() + size / 2 + 10
        radius = size / 2

        def point(index: int, value: float) -> tuple[float, float]:
            angle = -math.pi / 2 + index * 2 * math.pi / len(scores)
            length = radius * value / 10
            return cx + length * math.cos(angle), cy + length * math.sin(angle)

        pdf.set_draw_color(170, 170, 170)
        pdf.set_line_width(0.2)
        for ring in (2, 4, 6, 8, 10):
            pdf.polygon([point(i, ring) for i in range(len(scores))], style="D")
        pdf.set_font("helvetica", size=9)
        for index, score in enumerate(scores):
            pdf.line(cx, cy, *point(index, 10))
            lx, ly = point(index, 11.5)
            text = latin1(score.onderwerp)
            width = pdf.get_string_width(text)
            # Right of the centre: start at the axis end; left: end there; top and bottom: centred.
            start = lx + 1 if lx > cx + 1 else (lx - width - 1 if lx < cx - 1 else lx - width / 2)
            pdf.text(start, ly + 1.5, text)
        series = [(0, [s.eerst for s in scores], (0, 69, 122))]
        if labels[1]:
            series.append((1, [s.nu for s in scores], (178, 64, 14)))
        for number, values, colour in series:
            if any(v is None for v in values):
                continue
            pdf.set_draw_color(*colour)
            pdf.set_line_width(0.8 if number else 0.5)
            if number:
                pdf.set_dash_pattern(dash=2, gap=1.2)
            pdf.polygon([point(i, float(v)) for i, v in enumerate(values)], style="D")
            pdf.set_dash_pattern()
        pdf.set_draw_color(*_INK)
        pdf.set_y(cy + radius + 12)
        for number, label in enumerate(labels):
            if not label:
                continue
            colour = (0, 69, 122) if number == 0 else (178, 64, 14)
            y = pdf.get_y() + 2.5
            pdf.set_draw_color(*colour)
            pdf.set_line_width(0.8)
            if number:
                pdf.set_dash_pattern(dash=2, gap=1.2)
            pdf.line(pdf.l_margin, y, pdf.l_margin + 10, y)
            pdf.set_dash_pattern()
            pdf.set_x(pdf.l_margin + 13)
            pdf.set_font("helvetica", size=10)
            pdf.cell(0, 5, latin1(label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(*_INK)
        pdf.ln(3)

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
    writer.spinnenweb(afdruk.scores, (header[1], header[2] if len(header) > 2 else None))


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
    if writer.pdf.get_y() + 40 > writer.pdf.h - writer.pdf.b_margin:
        writer.pdf.add_page()  # the question and how to reach someone stay together
    writer.heading(_("Vragen?"))
    writer.para(
        _("Heeft u vragen over dit plan? Neem dan contact op met %(naam)s.")
        % {"naam": afdruk.contactpersoon}
    )
    for label, value in contact_regels(afdruk):
        writer.para(f"{label}: {value}", style="B")
    return bytes(writer.pdf.output())


def contact_regels(afdruk: Afdruk) -> list[tuple[str, str]]:
    """How to reach the contactpersoon: phone and e-mail, where the profile has them."""
    regels = []
    if afdruk.contact_telefoon:
        regels.append((_("Telefoon"), afdruk.contact_telefoon))
    if afdruk.contact_email:
        regels.append((_("E-mail"), afdruk.contact_email))
    return regels
