"""Demo: Putten's wijken and buurten (made-up postcode ranges), and a year of history.

The history is a journal of events as the platform writes them (ids are made up,
no household exists behind them), applied by the projection like real events, so
the monitor shows a gemeente per buurt with enough numbers for charts, trend and
suppression. Idempotent: the journal's demo events are written once.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from monitor import projection
from monitor.buurten import buurten_laden_uit_bestand
from monitor.models import Buurt, Gebeurtenis

CSV = Path(__file__).resolve().parent / "data" / "putten_buurten.csv"
NAMESPACE = uuid.UUID("6d6f6e69-746f-7244-656d-6f2d50757474")
#: Journal entries of the demo history have sequence number 0 (never an outbox row).
DEMO_VOLGNUMMER = 0
SOORTEN = ("inloophuis", "huisarts", "school", "welzijn", "woningcorporatie")
TOESTEMMING = ("met_toestemming", "zonder_toestemming", "warme_overdracht")
LEEFGEBIEDEN = ("financien", "wonen", "gezondheid", "eenzaamheid", "opvoeden", "werk")
REDENEN = ("doelen_bereikt", "doelen_bereikt", "geen_hulpvraag", "verhuisd", "overgedragen")
DIMENSIES = projection.DIMENSIES


@transaction.atomic
def load() -> int:
    buurten_laden_uit_bestand(str(CSV))
    if Gebeurtenis.objects.filter(volgnummer=DEMO_VOLGNUMMER).exists():
        return 0
    count = _geschiedenis()
    projection.replay(Gebeurtenis.objects.filter(volgnummer=DEMO_VOLGNUMMER))
    return count


def _event(
    n: int, event_type: str, aggregate_id: object, op: dt.datetime, **payload: object
) -> None:
    Gebeurtenis.objects.create(
        event_id=uuid.uuid5(NAMESPACE, f"{n}"),
        volgnummer=DEMO_VOLGNUMMER,
        event_type=event_type,
        schema_version=2,
        aggregate_id=str(aggregate_id),
        payload={k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in payload.items()},
        occurred_at=op,
    )


def _geschiedenis() -> int:
    rng = random.Random(2026)  # noqa: S311  # nosec B311  # demo figures, not secrets
    codes = list(Buurt.objects.values_list("code", flat=True))
    gewichten = [rng.randint(1, 6) for _code in codes]
    nu = timezone.now()
    n = 0
    for dagen_terug in range(365, 0, -1):
        for _i in range(rng.choice((0, 1, 1, 2))):
            n += 1
            op = nu - dt.timedelta(days=dagen_terug, hours=rng.randint(0, 10))
            buurt = rng.choices(codes, gewichten)[0] if rng.random() > 0.05 else ""
            signaal = uuid.uuid5(NAMESPACE, f"signaal-{n}")
            casus = uuid.uuid5(NAMESPACE, f"casus-{n}") if rng.random() < 0.6 else None
            if casus is not None:
                _event(n * 100, "casus.geopend", casus, op, buurt=buurt)
            _event(
                n * 100 + 1,
                "signaal.ontvangen",
                signaal,
                op,
                casus_id=casus,
                organisatie_soort=rng.choice(SOORTEN),
                toestemming=rng.choice(TOESTEMMING),
                buurt=buurt,
                leefgebieden=rng.sample(LEEFGEBIEDEN, rng.choice((1, 1, 2))),
            )
            if casus is not None:
                n = _casus_verloop(rng, n, casus, op, nu)
    return n


def _casus_verloop(
    rng: random.Random, n: int, casus: uuid.UUID, op: dt.datetime, nu: dt.datetime
) -> int:
    stap = n * 100 + 2
    aanspreekpunt = op + dt.timedelta(hours=rng.randint(2, 240))
    if aanspreekpunt < nu:
        _event(stap, "casus.aanspreekpunt_gewijzigd", casus, aanspreekpunt, van_id=None, naar_id=1)
    scores = {d: rng.randint(2, 7) for d in DIMENSIES}
    for m in range(rng.choice((0, 1, 2, 2, 3))):
        datum = aanspreekpunt + dt.timedelta(days=7 + 60 * m)
        if datum >= nu:
            break
        if m:
            scores = {
                d: max(0, min(10, v + rng.choice((-1, 0, 1, 1, 2)))) for d, v in scores.items()
            }
        stap += 1
        _event(
            stap,
            "plan.bijgewerkt",
            casus,
            datum,
            onderdeel="meting",
            object_id=uuid.uuid5(NAMESPACE, f"meting-{stap}"),
            meting_soort="uitvraag" if m == 0 else "evaluatie",
            datum=datum.date().isoformat(),
            **scores,
        )
        if m == 0:
            for _a in range(rng.randint(1, 4)):
                stap += 1
                trede = rng.choices((1, 2, 3, 4), (5, 4, 2, 1))[0]
                _event(
                    stap,
                    "plan.bijgewerkt",
                    casus,
                    datum,
                    onderdeel="actie",
                    object_id=uuid.uuid5(NAMESPACE, f"actie-{stap}"),
                    trede=trede,
                )
    sluiten = op + dt.timedelta(days=rng.randint(30, 300))
    if sluiten < nu:
        stap += 1
        _event(stap, "casus.gesloten", casus, sluiten, afsluitreden=rng.choice(REDENEN))
    return n
