"""Buurten: which buurt a postcode and house number are in, and loading them from CSV.

A household's buurt comes from its address when that is known, else from the
buurt the melder gave with the signal, else from the partner organisation's buurt
(``BuurtBron``). Only the buurt code travels on (events, projection).
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitor.models import Buurt, PostcodeGebied, Wijk


class BuurtBron(models.TextChoices):
    ADRES = "adres", gettext_lazy("Adres")
    SIGNAAL = "signaal", gettext_lazy("Buurt in het signaal")
    ORGANISATIE = "organisatie", gettext_lazy("Buurt van de partnerorganisatie")


POSTCODE = re.compile(r"^[1-9][0-9]{3}([A-Z]{2})?$")
HUISNUMMER = re.compile(r"^\s*([0-9]{1,6})")


def normalise_postcode(value: str) -> str:
    return "".join((value or "").split()).upper()


@dataclass(frozen=True)
class _Kaart:
    """Postcode areas and buurt names, kept per process (a signal asks for every intake)."""

    #: postcode → [(van, tot, buurt code)]
    postcodes: dict[str, list[tuple[int | None, int | None, str]]]
    #: lower-case code or name → buurt code
    namen: dict[str, str]


KAART_TTL = 300.0
_kaart: tuple[float, _Kaart] | None = None


def _laad_kaart() -> _Kaart:
    global _kaart
    now = time.monotonic()
    if _kaart is not None and now < _kaart[0]:
        return _kaart[1]
    postcodes: dict[str, list[tuple[int | None, int | None, str]]] = {}
    for pc, van, tot, buurt in PostcodeGebied.objects.values_list(
        "postcode", "huisnummer_van", "huisnummer_tot", "buurt__code"
    ):
        postcodes.setdefault(pc, []).append((van, tot, buurt))
    namen: dict[str, str] = {}
    for code, naam in Buurt.objects.values_list("code", "naam"):
        namen.setdefault(naam.lower(), code)
        namen[code.lower()] = code
    kaart = _Kaart(postcodes=postcodes, namen=namen)
    _kaart = (now + KAART_TTL, kaart)
    return kaart


def kaart_vergeten(**_kwargs: object) -> None:
    """Forget the kept map (connected to saves and deletes of buurten and postcode areas)."""
    global _kaart
    _kaart = None


def buurt_voor_adres(postcode: str, huisnummer: str | int | None) -> str:
    """The buurt code of an address ("" when unknown): the 6-position postcode with a
    house number range first, then the whole 6-position postcode, then its 4 positions."""
    code = normalise_postcode(postcode)
    if not POSTCODE.match(code):
        return ""
    match = HUISNUMMER.match(str(huisnummer or ""))
    nummer = int(match.group(1)) if match else None
    postcodes = _laad_kaart().postcodes
    for van, tot, buurt in postcodes.get(code, []):
        if van is not None and tot is not None and nummer is not None and van <= nummer <= tot:
            return buurt
    for pc in (code, code[:4]):
        for van, _tot, buurt in postcodes.get(pc, []):
            if van is None:
                return buurt
    return ""


def buurt_voor_tekst(value: str) -> str:
    """The buurt code for a free-text buurt (its CBS code or its name), "" when unknown."""
    return _laad_kaart().namen.get((value or "").strip().lower(), "")


def buurt_bepalen(
    *,
    postcode: str = "",
    huisnummer: str = "",
    signaal_buurt: str = "",
    organisatie_buurt: str = "",
) -> tuple[str, str]:
    """(buurt code, ``BuurtBron``) by the rule address > signal > organisation; ("", "")."""
    for code, bron in (
        (buurt_voor_adres(postcode, huisnummer), BuurtBron.ADRES),
        (buurt_voor_tekst(signaal_buurt), BuurtBron.SIGNAAL),
        (buurt_voor_tekst(organisatie_buurt), BuurtBron.ORGANISATIE),
    ):
        if code:
            return code, str(bron)
    return "", ""


# -- loading from CSV -----------------------------------------------------------------

KOLOMMEN = (
    "wijkcode",
    "wijknaam",
    "buurtcode",
    "buurtnaam",
    "postcode",
    "huisnummer_van",
    "huisnummer_tot",
)
WIJKCODE = re.compile(r"^WK[0-9]{6}$")
BUURTCODE = re.compile(r"^BU[0-9]{8}$")


@dataclass(frozen=True)
class Geladen:
    wijken: int
    buurten: int
    postcodes: int


def _nummer(value: str, regel: int, kolom: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(
            _("Regel %(r)s: %(k)s moet een huisnummer zijn.") % {"r": regel, "k": kolom}
        )
    return int(value)


@transaction.atomic
def buurten_laden(rows: Iterable[dict[str, str]]) -> Geladen:
    """Load wijken, buurten and postcode areas (the CSV's rows, ``KOLOMMEN``).

    Wijken and buurten are created or renamed; each buurt named in the file gets exactly
    the postcode areas of the file. All or nothing: one bad line loads nothing.
    """
    wijken: dict[str, str] = {}
    buurten: dict[str, tuple[str, str]] = {}
    gebieden: dict[str, list[tuple[str, int | None, int | None]]] = {}
    errors: list[str] = []
    for regel, row in enumerate(rows, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        wijk, buurt = row.get("wijkcode", "").upper(), row.get("buurtcode", "").upper()
        if not WIJKCODE.match(wijk) or not BUURTCODE.match(buurt):
            errors.append(
                _("Regel %(r)s: wijkcode (WK…) of buurtcode (BU…) klopt niet.") % {"r": regel}
            )
            continue
        if not row.get("wijknaam") or not row.get("buurtnaam"):
            errors.append(_("Regel %(r)s: wijknaam en buurtnaam zijn verplicht.") % {"r": regel})
            continue
        wijken[wijk] = row["wijknaam"][:100]
        buurten[buurt] = (row["buurtnaam"][:100], wijk)
        gebieden.setdefault(buurt, [])
        postcode = normalise_postcode(row.get("postcode", ""))
        if not postcode:
            continue
        try:
            van = _nummer(row.get("huisnummer_van", ""), regel, "huisnummer_van")
            tot = _nummer(row.get("huisnummer_tot", ""), regel, "huisnummer_tot")
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if not POSTCODE.match(postcode):
            errors.append(
                _("Regel %(r)s: postcode %(p)s klopt niet.") % {"r": regel, "p": postcode}
            )
        elif (van is None) != (tot is None) or (
            van is not None and tot is not None and (len(postcode) != 6 or van > tot)
        ):
            errors.append(
                _(
                    "Regel %(r)s: een huisnummerbereik hoort bij een postcode van zes tekens, "
                    "van ≤ tot."
                )
                % {"r": regel}
            )
        else:
            gebieden[buurt].append((postcode, van, tot))
    if errors:
        raise ValidationError(errors)
    for code, naam in wijken.items():
        Wijk.objects.update_or_create(code=code, defaults={"naam": naam})
    wijk_ids = dict(Wijk.objects.filter(code__in=wijken).values_list("code", "pk"))
    postcodes = 0
    for code, (naam, wijk) in buurten.items():
        rij, _created = Buurt.objects.update_or_create(
            code=code, defaults={"naam": naam, "wijk_id": wijk_ids[wijk]}
        )
        rij.postcodes.all().delete()
        PostcodeGebied.objects.bulk_create(
            PostcodeGebied(buurt=rij, postcode=pc, huisnummer_van=van, huisnummer_tot=tot)
            for pc, van, tot in gebieden[code]
        )
        postcodes += len(gebieden[code])
    kaart_vergeten()
    return Geladen(wijken=len(wijken), buurten=len(buurten), postcodes=postcodes)


def buurten_laden_uit_bestand(path: str) -> Geladen:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(2048)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;") if sample else csv.excel
        return buurten_laden(csv.DictReader(handle, dialect=dialect))
