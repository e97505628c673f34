"""Terugkoppeling: the status and short message a melder sees, set by the Brede Toegang."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie, Doel
from audit.services import record
from casussen.selectors import casus_get_for_user
from signalen.models import MAX_TERUGKOPPELING, Signaal, Status
from signalen.services.common import bump, emit, lock, require_team_member

#: The statuses a consulent can choose; "ontvangen" is where every signal starts.
KEUZES = (Status.OPGEPAKT, Status.AFGEROND, Status.DOORVERWEZEN)


def _clean_bericht(bericht: str) -> str:
    text = unicodedata.normalize("NFC", bericht.replace("\r\n", "\n")).strip()
    if any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in text):
        raise ValidationError({"bericht": [_("Deze tekst bevat tekens die niet zijn toegestaan.")]})
    if len(text) > MAX_TERUGKOPPELING:
        raise ValidationError(
            {"bericht": [_("Gebruik maximaal %(limit)s tekens.") % {"limit": MAX_TERUGKOPPELING}]}
        )
    return text


@transaction.atomic
def signaal_terugkoppelen(*, signaal: Signaal, status: str, bericht: str, by: Any) -> Signaal:
    """Set what the melder sees. Only who may change the casus (or, before a casus
    exists, the team of the queue) may do this. The message goes to the partner as is."""
    signaal = lock(signaal.pk)
    if signaal.casus_id is not None:
        casus_get_for_user(user=by, casus_id=signaal.casus_id, need="change")
        doel = Doel.CASUSBEHANDELING
    else:
        require_team_member(user=by, signaal=signaal)
        doel = Doel.INTAKE
    if status not in KEUZES:
        raise ValidationError({"status": [_("Kies opgepakt, afgerond of doorverwezen.")]})
    tekst = _clean_bericht(bericht)
    if status == signaal.status and tekst == (signaal.terugkoppeling or ""):
        return signaal
    signaal.status = status
    signaal.terugkoppeling = tekst or None
    signaal.status_gewijzigd_op = timezone.now()
    bump(signaal, "status", "terugkoppeling", "status_gewijzigd_op")
    record(
        actor=by,
        actie=Actie.UPDATE,
        doel=doel,
        object_type="signaal",
        object_id=signaal.pk,
        huishouden_id=signaal.huishouden_id,
        velden=["status", "terugkoppeling"] if tekst else ["status"],
    )
    emit(
        "signaal.status_gewijzigd",
        signaal=signaal,
        status=signaal.status,
        organisatie_id=signaal.organisatie_id,
    )
    return signaal
