"""One date format: the Dutch long date in text, dd-mm-jjjj in tables and forms."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template

from casussen.models.huishouden import adres_regel
from toegang.crypto.sealing import VERNIETIGD
from toegang.datums import datum


def test_long_date_in_text_and_short_date_in_tables():
    assert datum(date(2026, 11, 30)) == "30 november 2026"
    assert datum(date(1958, 4, 12), "kort") == "12-04-1958"


def test_moments_are_shown_in_dutch_local_time():
    moment = datetime(2026, 11, 30, 13, 5, tzinfo=ZoneInfo("UTC"))
    assert datum(moment, "lang tijd") == "30 november 2026, 14:05"
    assert datum(moment, "kort tijd") == "30-11-2026 14:05"


def test_iso_text_from_a_form_or_signal_becomes_a_dutch_date():
    assert datum("1958-04-12", "kort") == "12-04-1958"


def test_empty_and_destroyed_values_stay_readable():
    assert datum(None) == ""
    assert datum(VERNIETIGD) == str(VERNIETIGD)


def test_the_template_filter_is_available_everywhere_without_load():
    rendered = Template('{{ d|datum }} / {{ d|datum:"kort" }}').render(
        Context({"d": date(2026, 6, 26)})
    )
    assert rendered == "26 juni 2026 / 26-06-2026"


def test_address_reads_as_one_dutch_line():
    assert adres_regel("Dorpsstraat", "12", "3881ab", "Putten") == "Dorpsstraat 12, 3881 AB Putten"
    assert adres_regel("", "12", "3881 AB", "") == "12, 3881 AB"
    assert adres_regel("", "", "", "Putten") == "Putten"
