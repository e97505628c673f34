"""A destroyed casus leaves the projection; its contribution stays as counts.

When a household is destroyed (``huishouden.vernietigd``), the projection deletes the
rows of each of its casussen (the casus, its signals, actions and metingen) and their
journal entries, after adding what they counted to ``Restbijdrage``: per quarter, the
casus as new, open at the quarter's end and closed (a casus destroyed while open ends
with its destruction), its closure reason, its signals per buurt, kind, consent mode,
month and leefgebied, its actions per trede, whether its plan stayed at trede 1-2, and
its change per dimension of Positieve Gezondheid (direction and the sum of changes for
the mean). These are sums over all destroyed casussen, with no id or date of one. The
medians need single casussen: a destroyed casus no longer counts there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import F

from monitor.models import (
    DIMENSIES,
    ActieFeit,
    CasusFeit,
    Gebeurtenis,
    MetingFeit,
    Restbijdrage,
    SignaalFeit,
)
from monitor.periode import Kwartaal, lokale_datum

RICHTINGEN = ("beter", "gelijk", "slechter")

Bijdrage = Counter[tuple[Kwartaal, str, str]]


def vergeten(casus_id: Any, vernietigd_op: dt.datetime) -> None:
    """Fold the casus's rows into the counts, then delete them and their journal entries."""
    feit = CasusFeit.objects.filter(casus_id=casus_id).first()
    signalen = list(SignaalFeit.objects.filter(casus_id=casus_id))
    bijdrage: Bijdrage = Counter()
    if feit is not None and feit.geopend_op is not None:
        _casus(bijdrage, feit, vernietigd_op)
    for signaal in signalen:
        _signaal(bijdrage, signaal)
    _plan(bijdrage, casus_id, feit, vernietigd_op)
    for (q, maat, code), aantal in bijdrage.items():
        rij, _created = Restbijdrage.objects.get_or_create(kwartaal=str(q), maat=maat, code=code)
        Restbijdrage.objects.filter(pk=rij.pk).update(aantal=F("aantal") + aantal)
    ids = [str(casus_id), *(str(s.signaal_id) for s in signalen)]
    for model in (ActieFeit, MetingFeit, CasusFeit):
        model.objects.filter(casus_id=casus_id).delete()
    SignaalFeit.objects.filter(signaal_id__in=[s.signaal_id for s in signalen]).delete()
    Gebeurtenis.objects.filter(aggregate_id__in=ids).delete()


def _casus(bijdrage: Bijdrage, feit: CasusFeit, vernietigd_op: dt.datetime) -> None:
    assert feit.geopend_op is not None
    gesloten = feit.gesloten_op or vernietigd_op
    q = Kwartaal.van(lokale_datum(feit.geopend_op))
    bijdrage[(q, "nieuw", feit.buurt)] += 1
    while q.einde() <= gesloten:
        bijdrage[(q, "open", feit.buurt)] += 1
        q = q.volgende()
    bijdrage[(q, "gesloten", feit.buurt)] += 1
    bijdrage[(q, "afsluitreden", feit.afsluitreden)] += 1


def _signaal(bijdrage: Bijdrage, signaal: SignaalFeit) -> None:
    dag = lokale_datum(signaal.ontvangen_op)
    q = Kwartaal.van(dag)
    for maat, code in (
        ("signalen", signaal.buurt),
        ("signalen:soort", signaal.organisatie_soort),
        ("signalen:toestemming", signaal.toestemming),
        ("signalen:maand", str(dag.month)),
        ("signalen:casus", "ja"),
        *(("signalen:leefgebied", c) for c in sorted(set(signaal.leefgebieden or []))),
    ):
        bijdrage[(q, maat, code)] += 1


def _plan(
    bijdrage: Bijdrage, casus_id: Any, feit: CasusFeit | None, vernietigd_op: dt.datetime
) -> None:
    acties = list(ActieFeit.objects.filter(casus_id=casus_id).order_by("aangemaakt_op"))
    for actie in acties:
        q = Kwartaal.van(lokale_datum(actie.aangemaakt_op))
        bijdrage[(q, "acties:trede", str(actie.trede))] += 1
    if feit is not None and feit.geopend_op is not None and acties:
        # Each quarter the casus was active in: only trede 1-2 so far, or also 3-4.
        q = Kwartaal.van(lokale_datum(feit.geopend_op))
        laatste = Kwartaal.van(lokale_datum(feit.gesloten_op or vernietigd_op))
        while q <= laatste:
            treden = [a.trede for a in acties if a.aangemaakt_op < q.einde()]
            if treden:
                bijdrage[(q, "plannen", "licht" if max(treden) <= 2 else "zwaar")] += 1
            q = q.volgende()
    metingen = list(
        MetingFeit.objects.filter(casus_id=casus_id).order_by("datum", "vastgelegd_op", "meting_id")
    )
    if len(metingen) >= 2:
        q = Kwartaal.van(max(m.datum for m in metingen))
        for dim in DIMENSIES:
            verschil = getattr(metingen[-1], dim) - getattr(metingen[0], dim)
            richting = RICHTINGEN[0 if verschil > 0 else 1 if verschil == 0 else 2]
            bijdrage[(q, f"gezondheid:{dim}", richting)] += 1
            bijdrage[(q, f"gezondheid:{dim}", "verschil")] += verschil


def van(q: Kwartaal) -> dict[str, dict[str, int]]:
    """The quarter's counts of destroyed casussen: measure → code → count."""
    rest: dict[str, dict[str, int]] = defaultdict(dict)
    for maat, code, aantal in Restbijdrage.objects.filter(kwartaal=str(q)).values_list(
        "maat", "code", "aantal"
    ):
        rest[maat][code] = aantal
    return rest


def eerste_kwartaal() -> Kwartaal | None:
    """The first quarter in which a destroyed casus was opened."""
    eerste = (
        Restbijdrage.objects.filter(maat="nieuw").order_by("kwartaal").values_list("kwartaal")
    ).first()
    return Kwartaal.parse(eerste[0]) if eerste else None
