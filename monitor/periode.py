"""Quarters in the gemeente's time zone: the monitor's period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings


@dataclass(frozen=True, order=True)
class Kwartaal:
    jaar: int
    nummer: int

    @classmethod
    def parse(cls, text: str) -> Kwartaal:
        """ "2026-K3" (or "2026-Q3") → Kwartaal; ValueError otherwise."""
        jaar, _sep, rest = text.upper().partition("-")
        nummer = int(rest.lstrip("KQ"))
        if not (2000 <= int(jaar) <= 2100 and 1 <= nummer <= 4):
            raise ValueError(text)
        return cls(int(jaar), nummer)

    @classmethod
    def van(cls, datum: dt.date) -> Kwartaal:
        return cls(datum.year, (datum.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.jaar}-K{self.nummer}"

    @property
    def maanden(self) -> list[int]:
        return [3 * self.nummer - 2, 3 * self.nummer - 1, 3 * self.nummer]

    def start(self) -> dt.datetime:
        return dt.datetime(self.jaar, self.maanden[0], 1, tzinfo=tijdzone())

    def einde(self) -> dt.datetime:
        return self.volgende().start()

    def volgende(self) -> Kwartaal:
        return (
            Kwartaal(self.jaar + 1, 1) if self.nummer == 4 else Kwartaal(self.jaar, self.nummer + 1)
        )

    def vorige(self) -> Kwartaal:
        return (
            Kwartaal(self.jaar - 1, 4) if self.nummer == 1 else Kwartaal(self.jaar, self.nummer - 1)
        )


def tijdzone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def lokale_datum(moment: dt.datetime) -> dt.date:
    return moment.astimezone(tijdzone()).date()
