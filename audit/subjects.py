"""Who is the resident? A pluggable lookup, so ``audit`` imports no domain app.

The cases app registers the real lookup (blind-index match on BSN, or surname
plus date of birth) from its AppConfig.ready()::

    register_resident_lookup(fn)   # fn(*, bsn=None, achternaam=None, geboortedatum=None)
                                   #   -> (huishouden_ids, persoon_ids)

The console passes what the privacy officer typed straight to the lookup and
keeps only the pseudonymous ids it returns.

Whose object is it? Domain apps also register owner lookups, so a denied
attempt on a resident's casus or signal is attributed to that resident's
household (``owner_of``)::

    register_owner_lookup(fn)      # fn(object_id: str) -> huishouden id or None

The resident's report is addressed to the resident by name: the cases app
decrypts it (``register_resident_name``); it is shown, never stored or logged::

    register_resident_name(fn)     # fn(persoon_ids) -> "Voornaam Achternaam" or ""
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

ResidentLookup = Callable[..., tuple[Iterable[Any], Iterable[Any]]]

_lookup: ResidentLookup | None = None
OwnerLookup = Callable[[str], Any]
_owner_lookups: list[OwnerLookup] = []
NameLookup = Callable[[Iterable[str]], str]
_name_lookup: NameLookup | None = None


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


def register_owner_lookup(fn: OwnerLookup) -> None:
    """Add ``fn`` (idempotent): the household of an object id, or None if not its kind."""
    if fn not in _owner_lookups:
        _owner_lookups.append(fn)


def owner_of(object_id: Any) -> str | None:
    """The household whose object ``object_id`` is, if any registered lookup knows it."""
    text = str(object_id or "")
    if not text:
        return None
    for lookup in _owner_lookups:
        owner = lookup(text)
        if owner:
            return str(owner)
    return None


def register_resident_name(fn: NameLookup | None) -> NameLookup | None:
    """Install the name lookup (None removes it); return the one it replaces."""
    global _name_lookup
    previous, _name_lookup = _name_lookup, fn
    return previous


def resident_name(subject: Subject) -> str:
    """The resident's name for the top of their report (a neutral word if unknown)."""
    from django.utils.translation import gettext as _

    name = _name_lookup(subject.persoon_ids) if _name_lookup and subject.persoon_ids else ""
    return name or _("Inwoner")
