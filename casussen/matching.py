"""Matching on blind indexes: "we vragen gegevens maar één keer op".

* exact BSN → the huishouden of that gezinslid, and its open casus if any;
* surname + date of birth, or postcode + house number → *possible* matches
  only, for a consulent to confirm or reject; never merged automatically;
* nothing to match on (anonymous) → no match;
* a restricted household (AVG art. 18) is never a match: its data is not processed.

Nothing is decrypted here: only HMAC values are compared.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db.models import QuerySet

from casussen.models import Casus, Gezinslid, Huishouden
from casussen.selectors import huishouden_beperkt
from casussen.types import MatchResult
from toegang.crypto.blind_index import (
    blind_index_bsn,
    blind_index_naam_geboortedatum,
    blind_index_postcode_huisnummer,
)
from toegang.prepared import PreparedQueries

MAX_MOGELIJK = 10


_queries = PreparedQueries()


def _huishouden_ids(**lookup: str) -> list[uuid.UUID]:
    """Households with a member whose blind index ``lookup`` names: not shredded, not
    restricted."""
    [(index, value)] = lookup.items()

    def build(waarde: str) -> QuerySet[Gezinslid, uuid.UUID]:
        return (
            Gezinslid.objects.filter(huishouden__shredded_at__isnull=True, **{index: waarde})
            .filter(~huishouden_beperkt())
            .values_list("huishouden_id", flat=True)
            .distinct()[:MAX_MOGELIJK]
        )

    return _queries.run(("huishouden_ids", index), build, [value])


def match_persoon(
    *,
    bsn: str | None = None,
    achternaam: str | None = None,
    geboortedatum: date | None = None,
    postcode: str | None = None,
    huisnummer: str | None = None,
) -> MatchResult:
    exact = blind_index_bsn(bsn) if bsn else None
    if exact:
        ids = _huishouden_ids(bsn_index=exact)
        if ids:
            casus = (
                Casus.objects.filter(huishouden_id__in=ids)
                .exclude(status=Casus.Status.AFGESLOTEN)
                .select_related("huishouden__data_key")
                .first()
            )
            if casus is not None:
                return MatchResult(casus=casus, huishouden=casus.huishouden)
            huishouden = Huishouden.objects.filter(pk__in=ids).order_by("created_at").first()
            return MatchResult(huishouden=huishouden)
    mogelijk: list[uuid.UUID] = []
    naam = (
        blind_index_naam_geboortedatum(achternaam, geboortedatum)
        if achternaam and geboortedatum
        else None
    )
    if naam:
        mogelijk += _huishouden_ids(naam_geboortedatum_index=naam)
    adres = (
        blind_index_postcode_huisnummer(postcode, huisnummer) if postcode and huisnummer else None
    )
    if adres:
        mogelijk += [
            i for i in _huishouden_ids(postcode_huisnummer_index=adres) if i not in mogelijk
        ]
    return MatchResult(mogelijke_huishouden_ids=mogelijk[:MAX_MOGELIJK])


def resident_lookup(
    *, bsn: str | None = None, achternaam: str | None = None, geboortedatum: date | None = None
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """For the privacy officer's inzageverzoek: (huishouden ids, gezinslid ids) of a resident.

    Exact on BSN, or surname + date of birth; only blind indexes are compared.
    """
    lookups = []
    if bsn and (index := blind_index_bsn(bsn)):
        lookups.append({"bsn_index": index})
    if achternaam and geboortedatum:
        index = blind_index_naam_geboortedatum(achternaam, geboortedatum)
        if index:
            lookups.append({"naam_geboortedatum_index": index})
    huishoudens: set[uuid.UUID] = set()
    personen: set[uuid.UUID] = set()
    for lookup in lookups:
        for persoon, huishouden in Gezinslid.objects.filter(**lookup).values_list(
            "pk", "huishouden_id"
        ):
            personen.add(persoon)
            huishoudens.add(huishouden)
    return sorted(huishoudens, key=str), sorted(personen, key=str)
