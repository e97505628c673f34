"""The server-side SVG charts: six labelled axes, the values as text, accessible names."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from django.utils import translation

from casussen.plan.charts import Reeks, TrendPunt, spinnenweb_svg, trend_svg
from casussen.plan.constants import DIMENSIES
from tests.casussen.plan.conftest import scores

NS = {"svg": "http://www.w3.org/2000/svg"}
LABELS = [
    "Lichaamsfuncties",
    "Mentaal welbevinden",
    "Zingeving",
    "Kwaliteit van leven",
    "Meedoen",
    "Dagelijks functioneren",
]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own renderer's output, not untrusted input)


def _texts(root: ET.Element, css_class: str) -> dict[str, str]:
    return {
        el.get("data-dimensie"): "".join(el.itertext()).strip()
        for el in root.iterfind(".//svg:text", NS)
        if el.get("class") == css_class
    }


def test_spinnenweb_has_six_labelled_axes_and_the_values():
    root = _parse(
        spinnenweb_svg(reeksen=[Reeks("Uitvraag", scores())], titel="Spinnenweb", id_prefix="t")
    )
    axes = [
        el.get("data-dimensie")
        for el in root.iterfind(".//svg:line", NS)
        if el.get("class") == "web-as"
    ]
    assert axes == list(DIMENSIES)
    labels = _texts(root, "web-label")  # two-word labels are split over two tspans
    assert {code: label.replace(" ", "") for code, label in labels.items()} == {
        code: label.replace(" ", "") for code, label in zip(DIMENSIES, LABELS, strict=True)
    }
    values = _texts(root, "web-waarde")
    assert values == {code: str(value) for code, value in scores().items()}


def test_spinnenweb_is_an_accessible_image():
    svg = spinnenweb_svg(
        reeksen=[Reeks("Uitvraag", scores())], titel="Spinnenweb van Anna", id_prefix="anna"
    )
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "anna-titel anna-desc"
    assert root.find("svg:title", NS).text == "Spinnenweb van Anna"
    desc = root.find("svg:desc", NS).text
    assert "Mentaal welbevinden 3" in desc and "Meedoen 2" in desc


def test_points_sit_on_their_axis_at_the_right_distance():
    root = _parse(
        spinnenweb_svg(reeksen=[Reeks("x", scores(lichaamsfuncties=10, meedoen=0))], titel="t")
    )
    points = {el.get("data-dimensie"): el for el in root.iterfind(".//svg:circle", NS)}
    top = points["lichaamsfuncties"]
    assert float(top.get("cx")) == 260 and float(top.get("cy")) == 215 - 140
    centre = points["meedoen"]
    assert (float(centre.get("cx")), float(centre.get("cy"))) == (260, 215)


def test_two_series_get_a_legend_and_the_last_one_shows_its_values():
    svg = spinnenweb_svg(
        reeksen=[Reeks("Uitvraag", scores()), Reeks("Evaluatie", scores(meedoen=8))], titel="t"
    )
    root = _parse(svg)
    legend = [el.text for el in root.iterfind(".//svg:text", NS) if el.get("class") == "legenda"]
    assert legend == ["Uitvraag", "Evaluatie"]
    assert _texts(root, "web-waarde")["meedoen"] == "8"
    assert (
        len([el for el in root.iterfind(".//svg:polygon", NS) if el.get("class") == "web-reeks"])
        == 2
    )


def test_text_is_escaped():
    svg = spinnenweb_svg(reeksen=[Reeks("<script>&", scores())], titel="a <b> & c")
    assert "<script>" not in svg
    assert _parse(svg).find("svg:title", NS).text == "a <b> & c"


def test_trend_is_a_small_chart_per_dimension_with_dates_and_values():
    punten = [
        TrendPunt(date(2026, 1, 12), scores()),
        TrendPunt(date(2026, 4, 2), scores(meedoen=5)),
        TrendPunt(date(2026, 7, 1), scores(meedoen=7)),
    ]
    with translation.override("nl"):
        root = _parse(trend_svg(punten=punten, titel="Verloop", id_prefix="tr"))
    lines = [el.get("data-dimensie") for el in root.iterfind(".//svg:polyline", NS)]
    assert lines == list(DIMENSIES)
    dates = [el.text for el in root.iterfind(".//svg:text", NS) if el.get("class") == "as-datum"]
    # Six small charts; the bottom three name the measuring moments.
    assert dates == ["12-01-2026", "02-04-2026", "01-07-2026"] * 3
    meedoen = [
        el.get("data-waarde")
        for el in root.iter()
        if el.get("class") == "trend-punt" and el.get("data-dimensie") == "meedoen"
    ]
    assert meedoen == ["2", "5", "7"]
    desc = root.find("svg:desc", NS).text
    assert "Meedoen: 2 → 5 → 7" in desc
    legend = [el.text for el in root.iterfind(".//svg:text", NS) if el.get("class") == "legenda"]
    assert legend == LABELS
    assert root.get("role") == "img"
