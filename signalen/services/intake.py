"""``signaal_receive``: the one entry for a new signal, from the form and from the API.

Validate, hand the resident to casussen (matching, the household and its data
key), store the signal sealed, attach it to a matched casus, write the audit
record and the ``signaal.ontvangen`` event: one transaction. With an
``Idempotency-Key`` a retry gets the first answer, never a second signal.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import IntegrityError, transaction

from audit.models import Actie, Doel
from audit.services import record
from casussen.services.casus import CASUS_TOUCH_VELDEN, casus_touch
from casussen.services.huishouden import huishouden_buurt_bepalen
from casussen.services.intake import intake_persoon
from casussen.types import IntakeResult, PersoonsGegevens
from signalen.models import Bron, Signaal, Toestemming
from signalen.referentie import referentie_new
from signalen.services.common import emit
from signalen.services.idempotency import (
    idempotency_claim,
    idempotency_replay,
    request_digest,
    validate_idempotency_key,
)
from signalen.validation import SignaalInvoer, signaal_invoer_clean
from toegang.inserts import batched, insert
from toegang.logging import get_logger
from toegang.models import Organisatie, Team
from toegang.roles import Rol

log = get_logger(__name__)


def melder_organisatie(melder: Any) -> Organisatie:
    """The organisation a melder signals for; anyone else may not signal."""
    if not melder.has_rol(Rol.MELDER) or melder.organisatie is None:
        raise PermissionDenied
    return melder.organisatie


#: Seconds a process keeps the intake team before asking the database again.
INTAKE_TEAM_TTL = 300.0
_intake_team: tuple[float, str, Team] | None = None


def team_for_intake() -> Team:
    """The team whose intake queue gets unmatched signals (settings.SIGNALEN_TEAM or the first).

    Kept per process for ``INTAKE_TEAM_TTL`` seconds (every signal asks, it almost never
    changes); a saved or deleted team or organisation in this process forgets it at once.
    """
    global _intake_team
    naam = getattr(settings, "SIGNALEN_TEAM", "")
    now = time.monotonic()
    if _intake_team is not None and _intake_team[1] == naam and now < _intake_team[0]:
        return _intake_team[2]
    teams = Team.objects.filter(organisatie__soort=Organisatie.Soort.GEMEENTE).order_by("naam")
    team = (teams.filter(naam=naam) if naam else teams).first()
    if team is None:
        raise ImproperlyConfigured("signalen: no team of a gemeente receives signals")
    _intake_team = (now + INTAKE_TEAM_TTL, naam, team)
    return team


def team_for_intake_forget(**_kwargs: Any) -> None:
    """Forget the kept intake team (connected to Team and Organisatie saves and deletes)."""
    global _intake_team
    _intake_team = None


def _persoon(invoer: SignaalInvoer) -> PersoonsGegevens | None:
    if invoer.toestemming == Toestemming.ZONDER or invoer.inwoner.is_empty():
        return None
    inwoner = invoer.inwoner
    return PersoonsGegevens(
        voornaam=inwoner.voornaam,
        achternaam=inwoner.achternaam,
        geboortedatum=inwoner.geboortedatum,
        bsn=inwoner.bsn,
        straat=inwoner.straat,
        huisnummer=inwoner.huisnummer,
        postcode=inwoner.postcode,
        woonplaats=inwoner.woonplaats,
        telefoon=inwoner.telefoon,
    )


#: Attempts at a fresh referentie; the unique index catches the (rare) repeat.
REFERENTIE_ATTEMPTS = 3


def signaal_receive(
    *,
    melder: Any,
    data: Mapping[str, Any],
    idempotency_key: str | None = None,
    bron: str = Bron.API,
    request: Any = None,
) -> Signaal:
    """Receive one signal; raises ``ValidationError`` (per field), ``PermissionDenied``
    or ``IdempotencyConflictError``. Returns the signal, with ``herhaald`` set on a replay."""
    organisatie = melder_organisatie(melder)
    digest = ""
    if idempotency_key is not None:
        validate_idempotency_key(idempotency_key)
        digest = request_digest(data)
        replay = idempotency_replay(client=melder, sleutel=idempotency_key, digest=digest)
        if replay is not None:
            return replay
    invoer = signaal_invoer_clean(organisatie=organisatie, data=data)
    for attempt in range(REFERENTIE_ATTEMPTS):
        try:
            return _store(
                melder=melder,
                organisatie=organisatie,
                invoer=invoer,
                bron=bron,
                idempotency_key=idempotency_key,
                digest=digest,
                request=request,
            )
        except IntegrityError:
            if idempotency_key is not None:
                # A concurrent retry with the same key committed first: answer as it did.
                replay = idempotency_replay(client=melder, sleutel=idempotency_key, digest=digest)
                if replay is not None:
                    return replay
            if attempt == REFERENTIE_ATTEMPTS - 1:
                raise
            log.info("signaal_referentie_bezet")  # a new code, a new attempt
    raise AssertionError("unreachable")


@transaction.atomic
@batched()  # the data key, household, gezinslid, signal and outbox row: one statement
def _store(
    *,
    melder: Any,
    organisatie: Organisatie,
    invoer: SignaalInvoer,
    bron: str,
    idempotency_key: str | None,
    digest: str,
    request: Any,
) -> Signaal:
    claim = None
    if idempotency_key is not None:
        # First write of the transaction: a concurrent twin waits here on the unique index.
        claim = idempotency_claim(client=melder, sleutel=idempotency_key, digest=digest)
    persoon = _persoon(invoer)
    intake = intake_persoon(persoon=persoon, by=melder)
    buurt = huishouden_buurt_bepalen(
        huishouden=intake.huishouden,
        postcode=persoon.postcode if persoon else "",
        huisnummer=persoon.huisnummer if persoon else "",
        signaal_buurt=invoer.buurt,
        organisatie_buurt=organisatie.buurt,
    )
    casus = intake.casus
    signaal = Signaal(
        referentie=referentie_new(),
        organisatie=organisatie,
        melder=melder,
        team_id=casus.team_id if casus is not None else team_for_intake().pk,
        huishouden=intake.huishouden,
        casus=casus,
        bron=bron,
        toestemming=invoer.toestemming,
        leefgebieden=list(invoer.leefgebieden),
        urgent=invoer.urgent,
        veiligheid=invoer.veiligheid,
        buurt=invoer.buurt or organisatie.buurt,
        omschrijving=invoer.omschrijving,
        contactroute=invoer.contactroute or None,
        onderwerp=invoer.onderwerp or None,
        inwoner=None
        if invoer.inwoner.is_empty()
        else json.dumps(invoer.inwoner.as_dict(), sort_keys=True),
        mogelijke_match=[str(pk) for pk in intake.mogelijke_huishouden_ids],
    )
    insert(signaal)
    if claim is not None:
        claim.signaal = signaal
        claim.save(update_fields=["signaal"])
    if casus is not None:
        casus_touch(
            casus=casus,
            by=melder,
            leefgebieden=invoer.leefgebieden,
            urgent=invoer.urgent,
            audited_by_caller=True,
        )
    emit(
        "signaal.ontvangen",
        signaal=signaal,
        new=True,
        casus_id=signaal.casus_id,
        team_id=signaal.team_id,
        organisatie_id=organisatie.pk,
        huishouden_id=signaal.huishouden_id,
        organisatie_soort=organisatie.soort,
        toestemming=signaal.toestemming,
        buurt=buurt or None,
        leefgebieden=list(signaal.leefgebieden),
    )  # before the audit record: the outbox row goes in the statement of the new rows
    _audit(signaal=signaal, intake=intake, invoer=invoer, melder=melder, request=request)
    log.info(
        "signaal_ontvangen",
        signaal_id=str(signaal.pk),
        organisatie_id=str(organisatie.pk),
        gekoppeld=casus is not None,
        mogelijke_matches=len(signaal.mogelijke_match),
    )
    return signaal


def _audit(
    *, signaal: Signaal, intake: IntakeResult, invoer: SignaalInvoer, melder: Any, request: Any
) -> None:
    """The melder's record of the signal (with a new household and gezinsleden it made),
    and, when matching found a known household, the system's record of that match.

    The match is the system's doing, set off by the melder: the melder saw nothing
    of the household's data, so the resident's report must not say they did.
    """
    record(
        actor=melder,
        actie=Actie.CREATE,
        doel=Doel.SIGNALERING,
        object_type="signaal",
        object_id=signaal.pk,
        object_ids=[
            signaal.pk,
            *([intake.huishouden.pk] if intake.nieuw else []),
            *intake.nieuwe_persoon_ids,
        ],
        huishouden_id=signaal.huishouden_id,
        persoon_ids=intake.nieuwe_persoon_ids,
        velden=_velden(invoer),
        request=request,
    )
    if intake.nieuw:
        return
    velden = ["huishouden.bsn_index"]
    if intake.casus is not None:
        velden.extend(f"casus.{naam}" for naam in CASUS_TOUCH_VELDEN)
    record(
        actor=None,
        trigger=melder,
        actie=Actie.UPDATE,
        doel=Doel.SIGNALERING,
        object_type="huishouden",
        object_id=intake.huishouden.pk,
        object_ids=[
            signaal.pk,
            intake.huishouden.pk,
            *([intake.casus.pk] if intake.casus is not None else []),
        ],
        huishouden_id=signaal.huishouden_id,
        persoon_ids=intake.huishouden.gezinsleden.values_list("pk", flat=True),
        velden=velden,
        reden="matching",
        request=request,
    )


def _velden(invoer: SignaalInvoer) -> list[str]:
    velden = ["toestemming", "leefgebieden", "omschrijving"]
    if invoer.contactroute:
        velden.append("contactroute")
    if invoer.onderwerp:
        velden.append("onderwerp")
    if invoer.buurt:
        velden.append("buurt")
    velden.extend(f"inwoner.{name}" for name in invoer.inwoner.filled())
    return velden
