"""The rules of a signal, shared by the form and the API: one place, Dutch messages.

``signaal_invoer_clean`` turns what a melder sent (a form's strings or an API's
JSON) into a ``SignaalInvoer`` or raises one ``ValidationError`` with a message
per field, keyed by the API's names (``inwoner.bsn``). Messages never repeat
the submitted value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from casussen.leefgebieden import LEEFGEBIEDEN
from signalen.models import Toestemming
from toegang.crypto.bsn import bsn_is_valid, bsn_normalise
from toegang.models import Organisatie

MAX_OMSCHRIJVING = 4000
MAX_CONTACTROUTE = 500
MAX_BUURT = 100
MAX_ONDERWERP = 60
MAX_NAAM = 100
MAX_ADRES = 200
OLDEST_BIRTH_YEAR = 1900

_POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Z]{2}$")
_HUISNUMMER = re.compile(r"^[1-9][0-9]{0,4}(?:[ -]?[A-Z0-9]{1,4})?$")
_TELEFOON = re.compile(r"^\+?[0-9 ()\-]{8,20}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ALLOWED_CONTROLS = {"\n", "\t"}

TOP_LEVEL_KEYS = frozenset(
    {
        "toestemming",
        "inwoner",
        "leefgebieden",
        "omschrijving",
        "urgent",
        "veiligheid",
        "buurt",
        "contactroute",
        "onderwerp",
    }
)


@dataclass(frozen=True)
class Inwoner:
    """What the melder knows about the resident; every field optional."""

    voornaam: str = ""
    achternaam: str = ""
    geboortedatum: date | None = None
    bsn: str = ""
    straat: str = ""
    huisnummer: str = ""
    postcode: str = ""
    woonplaats: str = ""
    telefoon: str = ""

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def filled(self) -> list[str]:
        """Names (never values) of the fields that hold something, for the audit trail."""
        return [f.name for f in fields(self) if getattr(self, f.name)]

    def as_dict(self) -> dict[str, str]:
        """JSON-ready values, for sealing."""
        return {
            f.name: (v.isoformat() if isinstance(v, date) else v)
            for f in fields(self)
            if (v := getattr(self, f.name))
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Inwoner:
        values = dict(data)
        if values.get("geboortedatum"):
            values["geboortedatum"] = date.fromisoformat(values["geboortedatum"])
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


INWONER_KEYS = frozenset(f.name for f in fields(Inwoner))


@dataclass(frozen=True)
class SignaalInvoer:
    toestemming: str
    inwoner: Inwoner
    leefgebieden: tuple[str, ...]
    omschrijving: str
    urgent: bool
    veiligheid: bool
    buurt: str
    contactroute: str
    onderwerp: str = ""


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _text(value: Any, name: str, errors: _Errors, *, limit: int, multiline: bool = False) -> str:
    """A cleaned string: stripped, NFC, no control characters, at most ``limit`` characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(name, _("Vul hier tekst in."))
        return ""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    allowed = _ALLOWED_CONTROLS if multiline else set()
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        errors.add(name, _("Deze tekst bevat tekens die niet zijn toegestaan."))
        return ""
    if len(text) > limit:
        errors.add(
            name,
            _("Gebruik maximaal %(limit)s tekens (nu %(count)s).")
            % {"limit": limit, "count": len(text)},
        )
        return ""
    return text


def _bool(value: Any, name: str, errors: _Errors) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    errors.add(name, _("Kies ja of nee."))
    return False


def parse_datum(text: str) -> date | None:
    """A date from "2024-02-29" or "29-2-2024"; None when it is no date at all."""
    text = text.strip()
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DAY_FIRST.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _geboortedatum(value: Any, errors: _Errors) -> date | None:
    name = "inwoner.geboortedatum"
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, date) else None
    if isinstance(value, str):
        parsed = parse_datum(value)
    if parsed is None:
        errors.add(
            name, _("Dit is geen bestaande datum. Gebruik dag-maand-jaar, zoals 31-12-1960.")
        )
        return None
    if parsed > timezone.localdate():
        errors.add(name, _("De geboortedatum kan niet in de toekomst liggen."))
        return None
    if parsed.year < OLDEST_BIRTH_YEAR:
        errors.add(name, _("Deze geboortedatum is niet mogelijk."))
        return None
    return parsed


def _inwoner(raw: Any, organisatie: Organisatie, errors: _Errors) -> Inwoner:
    if raw in (None, ""):
        return Inwoner()
    if not isinstance(raw, Mapping):
        errors.add("inwoner", _("Geef de gegevens van de inwoner als object."))
        return Inwoner()
    for key in sorted(set(raw) - INWONER_KEYS):
        errors.add(f"inwoner.{key}", _("Dit veld bestaat niet."))

    def text(key: str, limit: int) -> str:
        return _text(raw.get(key), f"inwoner.{key}", errors, limit=limit)

    postcode = text("postcode", 7).upper()
    if postcode and not _POSTCODE.match(postcode):
        errors.add("inwoner.postcode", _("Vul een postcode in zoals 3881 AB."))
        postcode = ""
    huisnummer = text("huisnummer", 12).upper()
    if huisnummer and not _HUISNUMMER.match(huisnummer):
        errors.add("inwoner.huisnummer", _("Vul een huisnummer in, eventueel met toevoeging: 12A."))
        huisnummer = ""
    telefoon = text("telefoon", 20)
    if telefoon and not (
        _TELEFOON.match(telefoon) and 10 <= sum(ch.isdigit() for ch in telefoon) <= 15
    ):
        errors.add(
            "inwoner.telefoon", _("Vul een telefoonnummer in van 10 cijfers, zoals 0612345678.")
        )
        telefoon = ""
    return Inwoner(
        voornaam=text("voornaam", MAX_NAAM),
        achternaam=text("achternaam", MAX_NAAM),
        geboortedatum=_geboortedatum(raw.get("geboortedatum"), errors),
        bsn=_bsn(raw.get("bsn"), organisatie, errors),
        straat=text("straat", MAX_ADRES),
        huisnummer=huisnummer,
        postcode=postcode[:4] + " " + postcode[-2:] if postcode else "",
        woonplaats=text("woonplaats", MAX_NAAM),
        telefoon=telefoon,
    )


def _bsn(value: Any, organisatie: Organisatie, errors: _Errors) -> str:
    name = "inwoner.bsn"
    if value in (None, ""):
        return ""
    if not organisatie.mag_bsn_verwerken:
        errors.add(name, _("Uw organisatie mag geen BSN doorgeven. Laat dit veld leeg."))
        return ""
    if not isinstance(value, str) or not bsn_is_valid(value):
        errors.add(name, _("Dit is geen geldig BSN: het voldoet niet aan de elfproef."))
        return ""
    return bsn_normalise(value)


def _leefgebieden(value: Any, errors: _Errors) -> tuple[str, ...]:
    name = "leefgebieden"
    if value in (None, "", []):
        errors.add(name, _("Kies ten minste één leefgebied."))
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors.add(name, _("Geef de leefgebieden als lijst van codes."))
        return ()
    unknown = [v for v in value if v not in LEEFGEBIEDEN]
    if unknown:
        errors.add(
            name,
            _("Onbekend leefgebied. Kies uit: %(codes)s.") % {"codes": ", ".join(LEEFGEBIEDEN)},
        )
        return ()
    return tuple(code for code in LEEFGEBIEDEN if code in value)


def _consent_rules(invoer: SignaalInvoer, errors: _Errors) -> None:
    if invoer.toestemming == Toestemming.ZONDER:
        for key in invoer.inwoner.filled():
            errors.add(
                f"inwoner.{key}",
                _(
                    "Zonder toestemming van de inwoner mag u geen gegevens doorgeven waarmee "
                    "iemand herkend kan worden. Laat dit veld leeg, of vraag eerst toestemming."
                ),
            )
        if invoer.contactroute:
            errors.add(
                "contactroute",
                _("Een contactroute hoort bij een warme overdracht. Laat dit veld leeg."),
            )
    elif invoer.toestemming == Toestemming.WARME_OVERDRACHT:
        if not invoer.contactroute:
            errors.add(
                "contactroute",
                _("Vertel hoe de consulent via u contact kan leggen met de inwoner."),
            )
    elif invoer.toestemming == Toestemming.MET and invoer.inwoner.is_empty():
        errors.add(
            "inwoner.voornaam",
            _("Vul ten minste een voornaam in. Zonder gegevens: kies 'zonder toestemming'."),
        )


def signaal_invoer_clean(*, organisatie: Organisatie, data: Mapping[str, Any]) -> SignaalInvoer:
    """Validate everything; raise one ``ValidationError`` with all field messages."""
    errors = _Errors()
    if not isinstance(data, Mapping):
        raise ValidationError({"non_field_errors": [_("Stuur de gegevens als JSON-object.")]})
    for key in sorted(set(data) - TOP_LEVEL_KEYS):
        errors.add(key, _("Dit veld bestaat niet."))
    toestemming = data.get("toestemming")
    if toestemming not in Toestemming.values:
        errors.add("toestemming", _("Kies of de inwoner toestemming heeft gegeven."))
        toestemming = ""
    omschrijving = _text(
        data.get("omschrijving"), "omschrijving", errors, limit=MAX_OMSCHRIJVING, multiline=True
    )
    if not omschrijving and "omschrijving" not in errors.by_field:
        errors.add("omschrijving", _("Beschrijf kort wat u zag of hoorde."))
    veiligheid = _bool(data.get("veiligheid"), "veiligheid", errors)
    invoer = SignaalInvoer(
        toestemming=str(toestemming),
        inwoner=_inwoner(data.get("inwoner"), organisatie, errors),
        leefgebieden=_leefgebieden(data.get("leefgebieden"), errors),
        omschrijving=omschrijving,
        urgent=_bool(data.get("urgent"), "urgent", errors) or veiligheid,
        veiligheid=veiligheid,
        buurt=_text(data.get("buurt"), "buurt", errors, limit=MAX_BUURT),
        contactroute=_text(
            data.get("contactroute"), "contactroute", errors, limit=MAX_CONTACTROUTE, multiline=True
        ),
        onderwerp=_text(data.get("onderwerp"), "onderwerp", errors, limit=MAX_ONDERWERP),
    )
    if toestemming:
        _consent_rules(invoer, errors)
    errors.raise_if_any()
    return invoer
