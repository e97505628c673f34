"""What casussen plugs into the platform: worker jobs, event recipients, access checks."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from toegang import worker


def _expire() -> int:
    from casussen.services.betrokkenen import access_expire

    return access_expire()


def casus_recipients(event: Any) -> set[int]:
    """Users with view access on the casus now."""
    from casussen.selectors import casus_viewer_ids

    return casus_viewer_ids(casus_id=event.aggregate_id)


def casus_access_check(user: Any, casus_id: str) -> bool:
    from django.http import Http404

    from casussen.selectors import casus_get_for_user

    try:
        casus_get_for_user(user=user, casus_id=casus_id)
    except Http404:
        return False
    return True


def _resident_lookup(**kwargs: Any) -> Any:
    from casussen.matching import resident_lookup

    return resident_lookup(**kwargs)


def _casus_owner(object_id: str) -> Any:
    from casussen.models import Casus

    try:
        return (
            Casus.objects.filter(pk=uuid.UUID(object_id))
            .values_list("huishouden_id", flat=True)
            .first()
        )
    except ValueError:
        return None


def register() -> None:
    from audit import alerts, subjects
    from casussen.overleg import events as overleg_events
    from casussen.services import retention
    from toegang import events

    worker.register("betrokkenen_expiry", _expire, interval=60)
    worker.register("vernietiging_opstellen", retention.job_opstellen, interval=24 * 3600)
    worker.register("vernietiging_uitvoeren", retention.job_uitvoeren, interval=30)
    subjects.register_resident_lookup(_resident_lookup)
    subjects.register_owner_lookup(_casus_owner)
    subjects.register_resident_name(resident_name)
    alerts.register_relation_check(own_surname_households)
    events.register_recipients("casus", casus_recipients)
    events.register_access_check("casus", casus_access_check)
    events.register_recipients("overleg", overleg_events.recipients)
    events.register_access_check("overleg", overleg_events.access_check)


def own_surname_households(user_id: int, huishouden_ids: Iterable[str]) -> set[str]:
    """The households among ``huishouden_ids`` in which someone has the user's surname.

    Compares the normalised surnames (as the blind index does) after decrypting
    here, inside the service; no name leaves this function or reaches a log.
    """
    from django.contrib.auth import get_user_model

    from casussen.models import Gezinslid
    from toegang.crypto.blind_index import normalise_achternaam

    last_name = (
        get_user_model().objects.filter(pk=user_id).values_list("last_name", flat=True).first()
    )
    target = normalise_achternaam(last_name or "")
    if not target:
        return set()
    found: set[str] = set()
    leden = Gezinslid.objects.filter(
        huishouden_id__in=list(huishouden_ids), huishouden__shredded_at__isnull=True
    ).select_related("huishouden__data_key")
    for lid in leden:
        achternaam = lid.achternaam
        if isinstance(achternaam, str) and normalise_achternaam(achternaam) == target:
            found.add(str(lid.huishouden_id))
    return found


def resident_name(persoon_ids: Iterable[str]) -> str:
    """The name of the first of these gezinsleden, decrypted here for the resident's report."""
    from casussen.models import Gezinslid

    lid = (
        Gezinslid.objects.filter(pk__in=list(persoon_ids), huishouden__shredded_at__isnull=True)
        .select_related("huishouden__data_key")
        .order_by("created_at")
        .first()
    )
    if lid is None:
        return ""
    parts = [lid.voornaam, lid.achternaam]
    return " ".join(p for p in parts if isinstance(p, str) and p)
