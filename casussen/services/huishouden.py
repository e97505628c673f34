"""Services for huishoudens and gezinsleden: create, add a member, shred.

Each is one transaction that writes the change and its audit record.
Personal values go in as plain arguments; sealing and blind indexes are done
by the model fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import shred_ledger
from audit.models import Actie, Doel
from audit.services import record
from casussen import events as casus_events
from casussen.models import Casus, Gezinslid, Huishouden, Relatie
from toegang import events
from toegang.crypto.bsn import bsn_is_valid, bsn_normalise
from toegang.crypto.datakeys import data_key_create, data_key_destroy
from toegang.inserts import insert

_PERSONAL_FIELDS = (
    "voornaam",
    "achternaam",
    "geboortedatum",
    "bsn",
    "straat",
    "huisnummer",
    "postcode",
    "woonplaats",
    "telefoon",
)


def huishouden_new() -> Huishouden:
    """A new, empty huishouden with its own data key, not audited: for a service that
    records the household in its own audit record (the signal intake)."""
    return insert(Huishouden(data_key=data_key_create()))


@transaction.atomic
def huishouden_create(*, by: Any, doel: str = Doel.INTAKE) -> Huishouden:
    """A new, empty huishouden with its own data key."""
    huishouden = huishouden_new()
    record(
        actor=by,
        actie=Actie.CREATE,
        doel=doel,
        object_type="huishouden",
        object_id=huishouden.pk,
        huishouden_id=huishouden.pk,
    )
    return huishouden


@transaction.atomic
def gezinslid_add(
    *,
    huishouden: Huishouden,
    by: Any,
    achternaam: str,
    voornaam: str = "",
    geboortedatum: date | None = None,
    bsn: str = "",
    straat: str = "",
    huisnummer: str = "",
    postcode: str = "",
    woonplaats: str = "",
    telefoon: str = "",
    relatie: str = Relatie.OVERIG,
    doel: str = Doel.INTAKE,
) -> Gezinslid:
    """Add a gezinslid; the BSN, if given, must pass the elfproef."""
    lid = gezinslid_new(
        huishouden=huishouden,
        relatie=relatie,
        voornaam=voornaam,
        achternaam=achternaam,
        geboortedatum=geboortedatum,
        bsn=bsn,
        straat=straat,
        huisnummer=huisnummer,
        postcode=postcode,
        woonplaats=woonplaats,
        telefoon=telefoon,
    )
    record(
        actor=by,
        actie=Actie.CREATE,
        doel=doel,
        object_type="gezinslid",
        object_id=lid.pk,
        huishouden_id=huishouden.pk,
        persoon_ids=[lid.pk],
        velden=gezinslid_velden(lid),
    )
    return lid


def gezinslid_velden(lid: Gezinslid) -> list[str]:
    """The names (never values) of the personal fields ``lid`` holds."""
    return [name for name in _PERSONAL_FIELDS if getattr(lid, name) not in (None, "")]


def gezinslid_new(
    *,
    huishouden: Huishouden,
    achternaam: str,
    voornaam: str = "",
    geboortedatum: date | None = None,
    bsn: str = "",
    straat: str = "",
    huisnummer: str = "",
    postcode: str = "",
    woonplaats: str = "",
    telefoon: str = "",
    relatie: str = Relatie.OVERIG,
) -> Gezinslid:
    """Validate and store a gezinslid, not audited: the caller's audit record names it
    (``gezinslid_add`` or the signal intake). Raises ``ValidationError``."""
    if huishouden.is_vernietigd:
        raise ValidationError(_("De gegevens van dit huishouden zijn vernietigd."))
    if bsn and not bsn_is_valid(bsn):
        raise ValidationError({"bsn": _("Dit is geen geldig BSN (elfproef).")}, code="bsn_invalid")
    lid = Gezinslid(
        huishouden=huishouden,
        relatie=relatie,
        voornaam=voornaam.strip(),
        achternaam=achternaam.strip(),
        geboortedatum=geboortedatum,
        bsn=bsn_normalise(bsn) if bsn else "",
        straat=straat.strip(),
        huisnummer=huisnummer.strip(),
        postcode=postcode.strip().upper(),
        woonplaats=woonplaats.strip(),
        telefoon=telefoon.strip(),
    )
    lid.full_clean(exclude=["huishouden"], validate_unique=False, validate_constraints=False)
    return insert(lid)


@transaction.atomic
def huishouden_shred(
    *,
    huishouden: Huishouden,
    by: Any,
    reden: str = "",
    velden: list[str] | None = None,
    persoon_ids: list[Any] | None = None,
    guards: bool = True,
) -> Huishouden:
    """Crypto-shredding: destroy the data key, so every sealed value of the household is lost.

    The blind indexes of its gezinsleden are cleared too, so lookups no longer
    find it. Nothing can bring the values back, from this database or a later backup.
    The audit record (actie ``shred``, the data key's id in ``object_ids``) is the
    tombstone and the shred ledger's entry (``audit.shred_ledger``). Refused with
    ``VernietigingGeweigerd`` under a restriction or an open noodtoegang.
    ``velden`` and ``persoon_ids``: the tables and gezinsleden whose rows
    ``destroy_household`` deleted before. ``guards=False`` only when the ledger says
    it was shredded already (``restore_check``).
    """
    from casussen.services.retention import VernietigingGeweigerd, destroy_refusal

    huishouden = Huishouden.objects.select_for_update().get(pk=huishouden.pk)
    if huishouden.is_vernietigd:
        return huishouden
    refusal = destroy_refusal(huishouden) if guards else None
    if refusal:
        raise VernietigingGeweigerd(refusal)
    persoon_ids = [
        *(persoon_ids or []),
        *huishouden.gezinsleden.values_list("pk", flat=True),
    ]
    data_key_destroy(huishouden.data_key)
    Gezinslid.objects.filter(huishouden=huishouden).update(
        bsn_index=None, naam_geboortedatum_index=None, postcode_huisnummer_index=None
    )
    huishouden.shredded_at = timezone.now()
    huishouden.save(update_fields=["shredded_at"])
    record(
        actor=by,
        actie=Actie.SHRED,
        doel=Doel.BEHEER,
        object_type="huishouden",
        object_id=huishouden.pk,
        object_ids=[huishouden.data_key_id],
        huishouden_id=huishouden.pk,
        persoon_ids=persoon_ids,
        velden=velden or [],
        reden=reden,
    )
    shred_ledger.mirror_after_commit()
    events.emit(
        "huishouden.vernietigd", aggregate_type="huishouden", aggregate_id=huishouden.pk, version=1
    )
    return huishouden


_BRON_RANG = {"adres": 0, "signaal": 1, "organisatie": 2, "": 3}


def huishouden_buurt_bepalen(
    *,
    huishouden: Huishouden,
    postcode: str = "",
    huisnummer: str = "",
    signaal_buurt: str = "",
    organisatie_buurt: str = "",
    adres_gecorrigeerd: bool = False,
) -> str:
    """Record the household's buurt code and its source (address > signal > organisation).

    Called where the address is in hand as plain input (the signal intake, a correction
    of the address). A source of lower rank never overwrites one of higher rank, except
    after ``adres_gecorrigeerd``: the old address was wrong, so the buurt from the new
    one replaces it, or, when the new one lies in no known buurt, none is left (the
    monitor then takes the buurt of the casus's first signal). When the code changes,
    the household's open casus (every casus of it after a correction) gets the event
    ``casus.bijgewerkt`` (onderdeel ``buurt``) with the new code and nothing else: the
    monitor's projection counts it in that buurt. Returns the household's buurt code.
    """
    from monitor.buurten import buurt_bepalen

    code, bron = buurt_bepalen(
        postcode=postcode,
        huisnummer=huisnummer,
        signaal_buurt=signaal_buurt,
        organisatie_buurt=organisatie_buurt,
    )
    beter = bool(code) and _BRON_RANG[bron] <= _BRON_RANG.get(huishouden.buurt_bron, 3)
    if beter or adres_gecorrigeerd:
        _buurt_zetten(huishouden, code, bron, alle_casussen=adres_gecorrigeerd)
    return huishouden.buurt_code


def huishouden_buurt_samenvoegen(*, doel: Huishouden, bron: Huishouden) -> None:
    """After ``bron`` merged into ``doel``: ``doel`` takes ``bron``'s buurt when that came
    from a better source (an address before a signal before an organisation), so its
    open casus moves to that buurt in the monitor."""
    if bron.buurt_code and _BRON_RANG.get(bron.buurt_bron, 3) < _BRON_RANG.get(doel.buurt_bron, 3):
        _buurt_zetten(doel, bron.buurt_code, bron.buurt_bron, alle_casussen=False)


def _buurt_zetten(huishouden: Huishouden, code: str, bron: str, *, alle_casussen: bool) -> None:
    if (code, bron) == (huishouden.buurt_code, huishouden.buurt_bron):
        return
    oud = huishouden.buurt_code
    huishouden.buurt_code, huishouden.buurt_bron = code, bron
    Huishouden.objects.filter(pk=huishouden.pk).update(buurt_code=code, buurt_bron=bron)
    if code != oud:
        _buurt_gewijzigd(huishouden, alle_casussen=alle_casussen)


def _buurt_gewijzigd(huishouden: Huishouden, *, alle_casussen: bool) -> None:
    casussen = Casus.objects.filter(huishouden_id=huishouden.pk)
    if not alle_casussen:
        casussen = casussen.exclude(status=Casus.Status.AFGESLOTEN)
    for casus in casussen.order_by("opened_at"):
        casus_events.emit(
            "casus.bijgewerkt",
            casus=casus,
            data={"onderdeel": "buurt", "buurt": huishouden.buurt_code or None},
        )
