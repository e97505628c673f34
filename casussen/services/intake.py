"""Intake of a person from a signal, and merging two households found to be one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from audit.models import Actie, Doel
from audit.services import record
from casussen import events
from casussen.errors import CasusConflict
from casussen.matching import match_persoon
from casussen.models import Casus, Gezinslid, Huishouden, Relatie, TimelineEntry
from casussen.services.casus import timeline_entry
from casussen.services.huishouden import (
    gezinslid_add,
    gezinslid_new,
    huishouden_buurt_samenvoegen,
    huishouden_new,
)
from casussen.types import IntakeResult, PersoonsGegevens
from toegang.crypto.datakeys import data_key_destroy

MergeHandler = Callable[..., None]
_MERGE_HANDLERS: list[MergeHandler] = []


def register_merge_handler(fn: MergeHandler) -> None:
    """``fn(*, bron, doel, by)`` runs inside ``huishouden_merge``'s transaction.

    Apps with rows sealed under a huishouden's data key (signalen) move and
    re-seal them from ``bron`` to ``doel`` here; casussen imports none of them.
    """
    if fn not in _MERGE_HANDLERS:
        _MERGE_HANDLERS.append(fn)


@transaction.atomic(savepoint=False)
def intake_persoon(*, persoon: PersoonsGegevens | None, by: Any) -> IntakeResult:
    """Match ``persoon``; without an exact match create a (provisional or anonymous) huishouden.

    Writes no audit record of its own: the caller (the signal intake) records one for
    everything it touched, naming the household and ``nieuwe_persoon_ids`` from the
    result. No savepoint either: a ``ValidationError`` here ends the caller's transaction.
    """
    if persoon is None or persoon.is_leeg:
        return IntakeResult(huishouden=huishouden_new())
    match = match_persoon(
        bsn=persoon.bsn or None,
        achternaam=persoon.achternaam or None,
        geboortedatum=persoon.geboortedatum,
        postcode=persoon.postcode or None,
        huisnummer=persoon.huisnummer or None,
    )
    if match.huishouden is not None:
        return IntakeResult(huishouden=match.huishouden, casus=match.casus, nieuw=False)
    huishouden = huishouden_new()
    lid = gezinslid_new(
        huishouden=huishouden,
        relatie=Relatie.AANVRAGER,
        achternaam=persoon.achternaam or _("onbekend"),
        voornaam=persoon.voornaam,
        geboortedatum=persoon.geboortedatum,
        bsn=persoon.bsn,
        straat=persoon.straat,
        huisnummer=persoon.huisnummer,
        postcode=persoon.postcode,
        woonplaats=persoon.woonplaats,
        telefoon=persoon.telefoon,
    )
    return IntakeResult(
        huishouden=huishouden,
        mogelijke_huishouden_ids=match.mogelijke_huishouden_ids,
        nieuwe_persoon_ids=[lid.pk],
    )


_COPIED = (
    "relatie", "voornaam", "achternaam", "geboortedatum", "bsn",
    "straat", "huisnummer", "postcode", "woonplaats", "telefoon",
)  # fmt: skip


@transaction.atomic
def huishouden_merge(*, bron: Huishouden, doel: Huishouden, by: Any, reden: str = "") -> Huishouden:
    """Merge ``bron`` into ``doel``: its gezinsleden move (re-sealed with doel's key).

    ``bron`` must have no casus (merge the other way round otherwise). Registered
    handlers move rows of other apps. Afterwards ``bron`` is deleted and its data
    key destroyed, unless something still refers to it.
    """
    if bron.pk == doel.pk:
        raise ValidationError({"doel": _("Een huishouden kan niet met zichzelf samengaan.")})
    bron = Huishouden.objects.select_for_update(of=("self",)).get(pk=bron.pk)
    doel = Huishouden.objects.select_for_update(of=("self",)).get(pk=doel.pk)
    if bron.is_vernietigd or doel.is_vernietigd:
        raise CasusConflict(_("De gegevens van dit huishouden zijn vernietigd."))
    if Casus.objects.filter(huishouden=bron).exists():
        raise CasusConflict(
            _(
                "Het huishouden dat opgaat in het andere mag geen casus hebben; "
                "kies de andere richting."
            )
        )
    bekend = set(
        Gezinslid.objects.filter(huishouden=doel, bsn_index__isnull=False).values_list(
            "bsn_index", flat=True
        )
    )
    leden = list(Gezinslid.objects.filter(huishouden=bron))
    for lid in leden:
        if lid.bsn_index is None or lid.bsn_index not in bekend:
            values: dict[str, Any] = {name: getattr(lid, name) or "" for name in _COPIED}
            values["geboortedatum"] = lid.geboortedatum
            gezinslid_add(huishouden=doel, by=by, **values)
        lid.delete()
    for handler in _MERGE_HANDLERS:
        handler(bron=bron, doel=doel, by=by)
    huishouden_buurt_samenvoegen(doel=doel, bron=bron)
    record(
        actor=by,
        actie=Actie.UPDATE,
        doel=Doel.INTAKE,
        object_type="huishouden",
        object_id=doel.pk,
        object_ids=[bron.pk, doel.pk],
        huishouden_id=doel.pk,
        velden=["gezinsleden", "samenvoeging"],
        reden=reden or "samenvoeging",
    )
    casus = Casus.objects.filter(huishouden=doel).exclude(status=Casus.Status.AFGESLOTEN).first()
    if casus is not None:
        timeline_entry(casus=casus, soort=TimelineEntry.Soort.SAMENVOEGING, by=by)
        events.emit("casus.bijgewerkt", casus=casus, data={"onderdeel": "huishouden"})
    _remove_if_unused(bron)
    return doel


def _remove_if_unused(huishouden: Huishouden) -> None:
    data_key = huishouden.data_key
    try:
        with transaction.atomic():
            huishouden.delete()
    except ProtectedError:
        return  # still referred to (e.g. a signal not moved): keep it, empty
    data_key_destroy(data_key)
