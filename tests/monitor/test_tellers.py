"""The counters' arithmetic: running measures and medians from histograms."""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections import Counter
from zoneinfo import ZoneInfo

from django.conf import settings

from monitor import tellers
from monitor.models import CasusFeit


def _op(jaar: int, maand: int) -> dt.datetime:
    return dt.datetime(jaar, maand, 15, 12, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _plannen(bijdrage: tellers.Bijdrage) -> dict[tuple[str, str], int]:
    return {(q, code): n for (q, maat, code), n in bijdrage.items() if maat == "plannen" and n}


def test_a_plan_counts_light_until_its_first_heavy_action_and_stops_after_closing():
    feit = CasusFeit(
        casus_id=uuid.uuid4(), geopend_op=_op(2025, 1), gesloten_op=_op(2025, 11), buurt="B"
    )
    bijdrage: tellers.Bijdrage = Counter()
    tellers._verloop(bijdrage, feit, [(_op(2025, 2), 1), (_op(2025, 5), 3)], feit.gesloten_op)
    assert _plannen(bijdrage) == {
        ("2025-K1", "licht"): 1,
        ("2025-K2", "licht"): -1,
        ("2025-K2", "zwaar"): 1,
        ("2026-K1", "zwaar"): -1,
    }
    assert bijdrage[("2025-K1", "nieuw", "B")] == 1 and bijdrage[("2025-K4", "gesloten", "B")] == 1


def test_an_open_casus_keeps_counting_in_every_later_quarter():
    feit = CasusFeit(casus_id=uuid.uuid4(), geopend_op=_op(2025, 4), buurt="B")
    bijdrage: tellers.Bijdrage = Counter()
    tellers._verloop(bijdrage, feit, [(_op(2025, 1), 2)], None)
    assert _plannen(bijdrage) == {("2025-K2", "licht"): 1}
    assert not any(maat == "gesloten" for _q, maat, _c in bijdrage)


def test_the_median_of_a_histogram_is_the_median_of_its_values():
    for waarden in ([3], [1, 2], [5, 1, 1, 9], [0, 0, 7, 7, 7, 2, 30]):
        histogram: dict[str, int] = {}
        for w in waarden:
            histogram[str(w)] = histogram.get(str(w), 0) + 1
        assert tellers.mediaan(histogram) == statistics.median(waarden)
    assert tellers.mediaan({}) is None
