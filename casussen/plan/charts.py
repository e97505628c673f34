"""Server-side SVG charts: the spinnenweb of Positieve Gezondheid and the trend over time.

No JavaScript and no chart library: a few lines of geometry and escaped XML.
Every chart is ``role="img"`` with a ``<title>`` and ``<desc>`` (referenced by
``aria-labelledby``), carries text labels on its axes and the values as text,
and the pages put a data table next to it. Series differ in colour *and* in
line pattern and marker, so colour is never the only carrier of meaning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr  # nosec B406  # escapes output; parses no XML

from django.utils.safestring import SafeString, mark_safe

from casussen.plan.constants import DIMENSIES, SCORE_MAX, Dimensie
from toegang.datums import datum

#: Colours with at least 3:1 contrast on white (WCAG 1.4.11), with a dash pattern each.
STYLES: tuple[tuple[str, str], ...] = (
    ("#00457a", ""),
    ("#b2400e", "6 4"),
    ("#1e6b34", "2 3"),
    ("#7a3b8f", "10 3 2 3"),
    ("#6b5200", "8 2"),
    ("#333333", "1 5"),
)

Scores = Mapping[str, int | None]


@dataclass(frozen=True)
class Reeks:
    """One polygon of the spinnenweb: a labelled set of scores (e.g. one meting)."""

    label: str
    scores: Scores


@dataclass(frozen=True)
class TrendPunt:
    """One measuring moment of the trend chart."""

    datum: date
    scores: Scores


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _attrs(**attrs: object) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None or value == "":
            continue
        parts.append(f"{key.rstrip('_').replace('_', '-')}={quoteattr(str(value))}")
    return " ".join(parts)


def _el(tag: str, body: str = "", **attrs: object) -> str:
    attr_text = _attrs(**attrs)
    opening = f"<{tag} {attr_text}" if attr_text else f"<{tag}"
    return f"{opening}>{body}</{tag}>" if body else f"{opening}/>"


def _svg(
    *,
    id_prefix: str,
    width: int,
    height: int,
    titel: str,
    beschrijving: str,
    body: list[str],
    css_class: str,
) -> SafeString:
    title_id, desc_id = f"{id_prefix}-titel", f"{id_prefix}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" class={quoteattr(css_class)} '
        f'font-family="system-ui, sans-serif">'
        f"<title id={quoteattr(title_id)}>{escape(titel)}</title>"
        f"<desc id={quoteattr(desc_id)}>{escape(beschrijving)}</desc>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308  # nosec  # B308/B703: every text is escaped


def dimensie_label(code: str) -> str:
    return str(Dimensie(code).label)


def _label_lines(label: str) -> list[str]:
    words = label.split()
    if len(words) < 2:
        return [label]
    half = (len(words) + 1) // 2
    return [" ".join(words[:half]), " ".join(words[half:])]


def describe_scores(scores: Scores) -> str:
    """'Lichaamsfuncties 6, Mentaal welbevinden 4, ...' (skips missing scores)."""
    return ", ".join(
        f"{dimensie_label(code)} {scores[code]}"
        for code in DIMENSIES
        if scores.get(code) is not None
    )


# -- spinnenweb ---------------------------------------------------------------------------

_WEB_W, _WEB_H = 520, 440
_CX, _CY, _R = 260.0, 215.0, 140.0


def _point(index: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + index * 2 * math.pi / len(DIMENSIES)
    distance = _R * value / SCORE_MAX
    return _CX + distance * math.cos(angle), _CY + distance * math.sin(angle)


def _between(value: float) -> tuple[float, float]:
    """A point on the bisector between the first and the last axis (for ring numbers)."""
    angle = -math.pi / 2 - math.pi / len(DIMENSIES)
    distance = _R * value / SCORE_MAX * math.cos(math.pi / len(DIMENSIES))
    return _CX + distance * math.cos(angle), _CY + distance * math.sin(angle) + 4


def _web_grid() -> list[str]:
    body = []
    for ring in (2, 4, 6, 8, 10):
        points = " ".join(
            f"{_fmt(x)},{_fmt(y)}" for x, y in (_point(i, ring) for i in range(len(DIMENSIES)))
        )
        body.append(
            _el(
                "polygon",
                points=points,
                fill="none",
                stroke="#8c8c8c",
                stroke_width="1",
                class_="web-ring",
            )
        )
        x, y = _between(ring)
        body.append(
            _el(
                "text",
                str(ring),
                x=_fmt(x),
                y=_fmt(y),
                font_size="11",
                text_anchor="middle",
                fill="#4a4a4a",
                aria_hidden="true",
            )
        )
    for index, code in enumerate(DIMENSIES):
        x, y = _point(index, SCORE_MAX)
        body.append(
            _el(
                "line",
                x1=_fmt(_CX),
                y1=_fmt(_CY),
                x2=_fmt(x),
                y2=_fmt(y),
                stroke="#6b6b6b",
                stroke_width="1",
                class_="web-as",
                data_dimensie=code,
            )
        )
        body.append(_axis_label(index, code))
    return body


def _axis_label(index: int, code: str) -> str:
    x, y = _point(index, SCORE_MAX + 1.3)
    anchor = "middle" if abs(x - _CX) < 5 else ("start" if x > _CX else "end")
    lines = _label_lines(dimensie_label(code))
    if y < _CY - 5:
        y -= 14 * (len(lines) - 1)
    spans = "".join(
        _el("tspan", escape(line), x=_fmt(x), dy="0" if n == 0 else "14")
        for n, line in enumerate(lines)
    )
    return _el(
        "text",
        spans,
        x=_fmt(x),
        y=_fmt(y),
        text_anchor=anchor,
        font_size="13",
        font_weight="600",
        fill="#1a1a1a",
        class_="web-label",
        data_dimensie=code,
    )


def _web_series(index: int, reeks: Reeks, *, show_values: bool) -> list[str]:
    colour, dash = STYLES[index % len(STYLES)]
    known = [(i, code, reeks.scores.get(code)) for i, code in enumerate(DIMENSIES)]
    points = [(i, code, value) for i, code, value in known if value is not None]
    body: list[str] = []
    coords = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (_point(i, v) for i, _, v in points))
    if len(points) == len(DIMENSIES):
        body.append(
            _el(
                "polygon",
                points=coords,
                fill=colour,
                fill_opacity="0.12",
                stroke=colour,
                stroke_width="2.5",
                stroke_dasharray=dash,
                class_="web-reeks",
            )
        )
    elif len(points) > 1:
        body.append(
            _el(
                "polyline",
                points=coords,
                fill="none",
                stroke=colour,
                stroke_width="2.5",
                stroke_dasharray=dash,
                class_="web-reeks",
            )
        )
    for i, code, value in points:
        x, y = _point(i, value)
        tip = _el("title", escape(f"{reeks.label}: {dimensie_label(code)} {value}"))
        body.append(
            _el(
                "circle",
                tip,
                cx=_fmt(x),
                cy=_fmt(y),
                r="4.5",
                fill=colour,
                class_="web-punt",
                data_dimensie=code,
                data_waarde=value,
            )
        )
        if show_values:
            dx = 10 if x >= _CX else -10
            body.append(
                _el(
                    "text",
                    str(value),
                    x=_fmt(x + dx),
                    y=_fmt(y - 6),
                    text_anchor="start" if dx > 0 else "end",
                    font_size="13",
                    font_weight="700",
                    fill=colour,
                    class_="web-waarde",
                    data_dimensie=code,
                )
            )
    return body


def _legend(labels: Sequence[str], *, x: float, y: float, first_style: int = 0) -> list[str]:
    body = []
    for row, label in enumerate(labels):
        colour, dash = STYLES[(first_style + row) % len(STYLES)]
        row_y = y + row * 18
        body.append(
            _el(
                "line",
                x1=_fmt(x),
                y1=_fmt(row_y),
                x2=_fmt(x + 28),
                y2=_fmt(row_y),
                stroke=colour,
                stroke_width="3",
                stroke_dasharray=dash,
            )
        )
        body.append(
            _el(
                "text",
                escape(label),
                x=_fmt(x + 34),
                y=_fmt(row_y + 4),
                font_size="12",
                fill="#1a1a1a",
                class_="legenda",
            )
        )
    return body


def spinnenweb_svg(
    *, reeksen: Sequence[Reeks], titel: str, id_prefix: str = "spinnenweb", beschrijving: str = ""
) -> SafeString:
    """The spider web: six labelled axes 0-10 and one polygon per ``Reeks``.

    Values are written as text for the last series (the most recent meting);
    every point also has a ``<title>``. ``beschrijving`` defaults to the scores.
    """
    if not beschrijving:
        beschrijving = (
            "; ".join(f"{reeks.label}: {describe_scores(reeks.scores)}" for reeks in reeksen)
            or "Nog geen scores."
        )
    body = _web_grid()
    for index, reeks in enumerate(reeksen):
        body.extend(_web_series(index, reeks, show_values=index == len(reeksen) - 1))
    if len(reeksen) > 1:
        body.extend(_legend([r.label for r in reeksen], x=12, y=_WEB_H - 18 * len(reeksen)))
    return _svg(
        id_prefix=id_prefix,
        width=_WEB_W,
        height=_WEB_H,
        titel=titel,
        beschrijving=beschrijving,
        body=body,
        css_class="grafiek spinnenweb",
    )


# -- trend over time: six small multiples, one per dimension ----------------------------------

_SM_COLS, _SM_W, _SM_H = 3, 212, 150
_SM_LEFT, _SM_RIGHT, _SM_TITLE, _SM_PLOT_H = 30.0, 14.0, 22.0, 80.0
_TR_W, _TR_H = _SM_COLS * _SM_W, 2 * _SM_H


def _panel_origin(index: int) -> tuple[float, float]:
    return (index % _SM_COLS) * _SM_W, (index // _SM_COLS) * _SM_H


def _trend_x(ox: float, index: int, count: int) -> float:
    width = _SM_W - _SM_LEFT - _SM_RIGHT
    if count == 1:
        return ox + _SM_LEFT + width / 2
    return ox + _SM_LEFT + 14 + index * (width - 28) / (count - 1)


def _trend_y(oy: float, value: float) -> float:
    return oy + _SM_TITLE + _SM_PLOT_H - _SM_PLOT_H * value / SCORE_MAX


def _panel(index: int, code: str, punten: Sequence[TrendPunt]) -> list[str]:
    """One dimension: its name, a 0-5-10 scale, its line and points; dates on the bottom row."""
    ox, oy = _panel_origin(index)
    colour, _dash = STYLES[0]
    body = [
        _el(
            "text",
            escape(dimensie_label(code)),
            x=_fmt(ox + _SM_LEFT),
            y=_fmt(oy + 14),
            font_size="13",
            font_weight="600",
            fill="#1a1a1a",
            class_="legenda",
        )
    ]
    for value in (0, 5, 10):
        y = _trend_y(oy, value)
        body.append(
            _el(
                "line",
                x1=_fmt(ox + _SM_LEFT),
                y1=_fmt(y),
                x2=_fmt(ox + _SM_W - _SM_RIGHT),
                y2=_fmt(y),
                stroke="#c8c8c8" if value else "#6b6b6b",
                stroke_width="1",
            )
        )
        body.append(
            _el(
                "text",
                str(value),
                x=_fmt(ox + _SM_LEFT - 6),
                y=_fmt(y + 4),
                text_anchor="end",
                font_size="11",
                fill="#1a1a1a",
                class_="as-waarde",
            )
        )
    known = [(i, p.scores.get(code)) for i, p in enumerate(punten)]
    coords = [(_trend_x(ox, i, len(punten)), _trend_y(oy, v)) for i, v in known if v is not None]
    if len(coords) > 1:
        body.append(
            _el(
                "polyline",
                points=" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords),
                fill="none",
                stroke=colour,
                stroke_width="2.5",
                class_="trend-lijn",
                data_dimensie=code,
            )
        )
    label = dimensie_label(code)
    for i, score in known:
        if score is None:
            continue
        x, y = _trend_x(ox, i, len(punten)), _trend_y(oy, score)
        tip = _el("title", escape(f"{label}, {datum(punten[i].datum)}: {score}"))
        common = {"fill": colour, "class_": "trend-punt", "data_dimensie": code}
        body.append(_el("circle", tip, cx=_fmt(x), cy=_fmt(y), r="4", data_waarde=score, **common))
        body.append(
            _el(
                "text",
                str(score),
                x=_fmt(x),
                y=_fmt(y - 8),
                text_anchor="middle",
                font_size="11",
                fill="#1a1a1a",
            )
        )
    if index // _SM_COLS == 1:  # the bottom row names the measuring moments
        for i, punt in enumerate(punten):
            body.append(
                _el(
                    "text",
                    escape(datum(punt.datum, "kort")),
                    x=_fmt(_trend_x(ox, i, len(punten))),
                    y=_fmt(oy + _SM_TITLE + _SM_PLOT_H + 18),
                    text_anchor="middle",
                    font_size="10",
                    fill="#1a1a1a",
                    class_="as-datum",
                )
            )
    return body


def _trend_description(punten: Sequence[TrendPunt]) -> str:
    if not punten:
        return "Nog geen metingen."
    parts = []
    for code in DIMENSIES:
        values = [str(p.scores[code]) for p in punten if p.scores.get(code) is not None]
        if values:
            parts.append(f"{dimensie_label(code)}: {' → '.join(values)}")
    first, last = punten[0].datum, punten[-1].datum
    span = f"van {datum(first)} tot {datum(last)}"
    return f"Scores per meting {span}. " + "; ".join(parts) + "."


def trend_svg(
    *, punten: Sequence[TrendPunt], titel: str, id_prefix: str = "trend", beschrijving: str = ""
) -> SafeString:
    """Six small charts, one per dimension, on the same 0-10 scale (oldest meting left)."""
    body: list[str] = []
    for index, code in enumerate(DIMENSIES):
        body.extend(_panel(index, code, punten))
    return _svg(
        id_prefix=id_prefix,
        width=_TR_W,
        height=_TR_H,
        titel=titel,
        beschrijving=beschrijving or _trend_description(punten),
        body=body,
        css_class="grafiek trend",
    )
