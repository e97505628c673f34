"""A destroyed casus or signal leaves the projection; its contribution stays as counts.

When a household is destroyed (``huishouden.vernietigd``), the projection deletes the
rows of each of its casussen (the casus, its signals, actions and metingen), of its
signals that never became part of a casus, and their journal entries. What they
added to the counters (``monitor.tellers``) stays there, and is added to
``Restbijdrage`` too, so ``monitor_rebuild`` starts from it: sums over all destroyed
units, with no id or date of one. A casus destroyed while open ends with its
destruction (closed in that quarter, without a reason). The medians' histograms keep
its durations as counts too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from monitor import tellers
from monitor.models import ActieFeit, CasusFeit, Gebeurtenis, MetingFeit, SignaalFeit
from monitor.tellers import Batch


def casus_vergeten(batch: Batch, casus_id: Any, vernietigd_op: dt.datetime) -> None:
    """Fold the casus and its signals into the counts, then delete their rows and journal
    entries."""
    signalen_vergeten(batch, SignaalFeit.objects.filter(casus_id=casus_id))
    batch.vergeten("casus", casus_id, tellers.casus(casus_id, einde=vernietigd_op))
    for model in (ActieFeit, MetingFeit, CasusFeit):
        model.objects.filter(casus_id=casus_id).delete()
    Gebeurtenis.objects.filter(aggregate_id=str(casus_id)).delete()


def signalen_vergeten(batch: Batch, signalen: Iterable[SignaalFeit]) -> None:
    ids = []
    for feit in signalen:
        batch.vergeten("signaal", feit.signaal_id, tellers.signaal_van(feit))
        ids.append(feit.signaal_id)
    SignaalFeit.objects.filter(signaal_id__in=ids).delete()
    Gebeurtenis.objects.filter(aggregate_id__in=[str(pk) for pk in ids]).delete()
