"""Who is the resident? A pluggable lookup, so ``audit`` imports no domain app.

The cases app registers the real lookup (blind-index match on BSN, or surname
plus date of birth) from its AppConfig.ready()::

    register_resident_lookup(fn)   # fn(*, bsn=None, achternaam=None, geboortedatum=None)
                                   #   -> (huishouden_ids, persoon_ids)

The console passes what the privacy officer typed straight to the lookup and
keeps only the pseudonymous ids it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

ResidentLookup = Callable[..., tuple[Iterable[Any], Iterable[Any]]]

_lookup: ResidentLookup | None = None


class ResidentLookupUnavailableError(RuntimeError):
    """No app registered a resident lookup (yet)."""


@dataclass(frozen=True)
class Subject:
    """The pseudonymous ids of one resident's data."""

    huishouden_ids: tuple[str, ...]
    persoon_ids: tuple[str, ...]

    @property
    def found(self) -> bool:
        return bool(self.huishouden_ids or self.persoon_ids)


def register_resident_lookup(fn: ResidentLookup | None) -> ResidentLookup | None:
    """Install ``fn`` (None removes it); return the lookup it replaces."""
    global _lookup
    previous, _lookup = _lookup, fn
    return previous


def find_resident(
    *, bsn: str | None = None, achternaam: str | None = None, geboortedatum: date | None = None
) -> Subject:
    if _lookup is None:
        raise ResidentLookupUnavailableError
    huishouden_ids, persoon_ids = _lookup(
        bsn=bsn or None, achternaam=achternaam or None, geboortedatum=geboortedatum
    )
    return Subject(
        huishouden_ids=tuple(sorted({str(h) for h in huishouden_ids})),
        persoon_ids=tuple(sorted({str(p) for p in persoon_ids})),
    )
