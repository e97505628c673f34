"""Server-side SVG charts of the monitor: bars per row, a trend, a change around zero.

Every chart has a title and description (``role="img"``) and stands next to the
table with the same figures. A suppressed figure gets no bar, only "< drempel".
Shared building blocks with the plan's charts (``casussen.plan.charts``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from casussen.plan.charts import _el, _fmt, _svg
from monitor.figures import Rij

BREEDTE = 640
LABEL = 200
RIJ = 24


def _beschrijving(rijen: Sequence[tuple[str, int | float | None]], drempel: int) -> str:
    delen = [
        f"{label}: {_fmt(v) if v is not None else _('minder dan %(d)s') % {'d': drempel}}"
        for label, v in rijen
    ]
    return "; ".join(delen) + "."


def staaf_svg(*, id_prefix: str, titel: str, rijen: Sequence[Rij], drempel: int) -> SafeString:
    """Horizontal bars, one per row (totals left out)."""
    rows = [r for r in rijen if r.niveau != "totaal"]
    top = max([r.waarde or 0 for r in rows] + [1])
    schaal = (BREEDTE - LABEL - 60) / top
    body: list[str] = []
    for i, rij in enumerate(rows):
        y = 8 + i * RIJ
        css = "staaf staaf-wijk" if rij.niveau == "wijk" else "staaf"
        body.append(
            _el(
                "text",
                _kort(rij.label),
                x=LABEL - 8,
                y=y + 15,
                text_anchor="end",
                class_="as-label",
            )
        )
        if rij.waarde is None:
            body.append(_el("text", f"< {drempel}", x=LABEL + 4, y=y + 15, class_="onderdrukt"))
            continue
        width = max(rij.waarde * schaal, 1 if rij.waarde else 0)
        body.append(_el("rect", x=LABEL, y=y + 3, width=_fmt(width), height=RIJ - 8, class_=css))
        body.append(
            _el("text", str(rij.waarde), x=_fmt(LABEL + width + 4), y=y + 15, class_="waarde")
        )
    return _svg(
        id_prefix=id_prefix,
        width=BREEDTE,
        height=16 + len(rows) * RIJ,
        titel=titel,
        beschrijving=_beschrijving([(r.label, r.waarde) for r in rows], drempel),
        body=body,
        css_class="monitor-grafiek",
    )


def trend_svg(
    *,
    id_prefix: str,
    titel: str,
    punten: Sequence[tuple[str, int | None]],
    drempel: int,
    klein: bool = False,
) -> SafeString:
    """Vertical bars per quarter (a suppressed quarter: no bar, "< drempel")."""
    width, height = (220, 120) if klein else (BREEDTE, 220)
    onder, boven = height - 24, 16
    top = max([v or 0 for _l, v in punten] + [1])
    stap = (width - 20) / max(len(punten), 1)
    body: list[str] = [_el("line", x1=10, x2=width - 10, y1=onder, y2=onder, class_="as")]
    for i, (label, waarde) in enumerate(punten):
        x = 10 + i * stap
        body.append(
            _el(
                "text",
                label,
                x=_fmt(x + stap / 2),
                y=height - 6,
                text_anchor="middle",
                class_="as-label",
            )
        )
        if waarde is None:
            body.append(
                _el(
                    "text",
                    f"< {drempel}",
                    x=_fmt(x + stap / 2),
                    y=onder - 4,
                    text_anchor="middle",
                    class_="onderdrukt",
                )
            )
            continue
        h = (onder - boven) * waarde / top
        body.append(
            _el(
                "rect",
                x=_fmt(x + stap * 0.2),
                y=_fmt(onder - h),
                width=_fmt(stap * 0.6),
                height=_fmt(h),
                class_="staaf",
            )
        )
        body.append(
            _el(
                "text",
                str(waarde),
                x=_fmt(x + stap / 2),
                y=_fmt(onder - h - 3),
                text_anchor="middle",
                class_="waarde",
            )
        )
    return _svg(
        id_prefix=id_prefix,
        width=width,
        height=height,
        titel=titel,
        beschrijving=_beschrijving(punten, drempel),
        body=body,
        css_class="monitor-grafiek monitor-klein" if klein else "monitor-grafiek",
    )


def verandering_svg(
    *, id_prefix: str, titel: str, rijen: Sequence[tuple[str, float | None]], drempel: int
) -> SafeString:
    """Mean change per dimension on the 0-10 scale: bars left (worse) or right (better) of 0."""
    midden = LABEL + (BREEDTE - LABEL) / 2
    schaal = (BREEDTE - LABEL - 40) / 2 / 5  # ±5 points fills the width
    body = [
        _el("line", x1=_fmt(midden), x2=_fmt(midden), y1=4, y2=12 + len(rijen) * RIJ, class_="as")
    ]
    for i, (label, waarde) in enumerate(rijen):
        y = 8 + i * RIJ
        body.append(_el("text", label, x=LABEL - 8, y=y + 15, text_anchor="end", class_="as-label"))
        if waarde is None:
            body.append(
                _el(
                    "text",
                    _("te weinig metingen"),
                    x=_fmt(midden + 4),
                    y=y + 15,
                    class_="onderdrukt",
                )
            )
            continue
        w = max(min(abs(waarde), 5) * schaal, 1)
        x = midden if waarde >= 0 else midden - w
        css = "staaf" if waarde >= 0 else "staaf staaf-min"
        body.append(_el("rect", x=_fmt(x), y=y + 3, width=_fmt(w), height=RIJ - 8, class_=css))
        tekst_x = midden + w + 4 if waarde >= 0 else midden - w - 4
        anchor = "start" if waarde >= 0 else "end"
        body.append(
            _el(
                "text",
                f"{waarde:+.1f}".replace(".", ","),
                x=_fmt(tekst_x),
                y=y + 15,
                text_anchor=anchor,
                class_="waarde",
            )
        )
    return _svg(
        id_prefix=id_prefix,
        width=BREEDTE,
        height=16 + len(rijen) * RIJ,
        titel=titel,
        beschrijving=_beschrijving(rijen, drempel),
        body=body,
        css_class="monitor-grafiek",
    )


def _kort(label: str) -> str:
    return label if len(label) <= 30 else label[:29] + "…"
