"""Destruction at the end of the bewaartermijn: the one path that removes a household's data.

``destroy_household(huishouden=..., by=..., reden=...)`` is the service every
destruction goes through (an approved item of a destruction list, a granted
erasure request): in one transaction it refuses what may not go yet (an open
noodtoegang, a restriction, see ``destroy_refusal``), deletes every row that holds
sealed data of the household (gezinsleden, signalen, tijdlijn, betrokkenen,
noodtoegangen, plan, metingen), and crypto-shreds the data key
(``huishouden_shred``), whose audit record (actie ``shred``) is the tombstone and
the entry of the shred ledger (``audit.shred_ledger``). What stays is data without
persons: the ``Huishouden`` row marked destroyed and its ``Casus`` rows (status,
dates, grondslag), so pages and the API say "vernietigd" instead of "not found".

The transaction is the unit: a destruction interrupted halfway leaves the household
whole, and running it again destroys it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Actie, Doel
from audit.services import record
from casussen.errors import CasusConflict
from casussen.models import Huishouden, Noodtoegang, Vernietigingsitem, Vernietigingslijst

#: A guard answers a Dutch reason why ``huishouden`` may not be destroyed now, or None.
DestroyGuard = Callable[[Huishouden], str | None]
_GUARDS: list[DestroyGuard] = []


class VernietigingGeweigerd(CasusConflict):
    """The household may not be destroyed now (restriction, open noodtoegang)."""


def register_destroy_guard(guard: DestroyGuard) -> None:
    """Add a check run before every destruction (e.g. a restriction under AVG art. 18)."""
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def _open_noodtoegang(huishouden: Huishouden) -> str | None:
    if Noodtoegang.objects.filter(
        casus__huishouden=huishouden, ended_at__isnull=True, expires_at__gt=timezone.now()
    ).exists():
        return _("Er loopt een noodtoegang op een casus van dit huishouden; vernietigen kan niet.")
    return None


def _restricted(huishouden: Huishouden) -> str | None:
    """A casus under a restriction of processing (AVG art. 18) is never destroyed.

    Reads the casus's ``beperkt`` flag when the rights workflows define one; they
    may also register their own guard (``register_destroy_guard``).
    """
    from casussen.models import Casus

    if not any(f.name == "beperkt" for f in Casus._meta.get_fields()):
        return None
    if Casus.objects.filter(huishouden=huishouden, **{"beperkt": True}).exists():
        return _("Op een casus van dit huishouden rust een beperking; vernietigen kan niet.")
    return None


def destroy_refusal(huishouden: Huishouden) -> str | None:
    """Why ``huishouden`` may not be destroyed now (Dutch), or None."""
    for guard in (_open_noodtoegang, _restricted, *_GUARDS):
        reason = guard(huishouden)
        if reason:
            return reason
    return None


def _sealed_models() -> list[tuple[type[Model], str]]:
    """Every model with sealed values of a household, with its path to the huishouden."""
    found = []
    for model in apps.get_models():
        path = getattr(model, "sealed_with", None)
        if not path or model is Huishouden:
            continue
        found.append((model, path.removesuffix("__data_key")))
    return found


def _delete_sealed_rows(huishouden: Huishouden) -> list[str]:
    """Delete every sealed row of ``huishouden`` (the rows that protect others last)."""
    pending = _sealed_models()
    deleted: list[str] = []
    while pending:
        blocked = []
        for model, path in pending:
            try:
                count, _per_model = model._default_manager.filter(**{path: huishouden}).delete()
            except ProtectedError:
                blocked.append((model, path))
                continue
            if count:
                deleted.append(model._meta.label_lower)
        if len(blocked) == len(pending):
            raise ProtectedError("rows of other models still refer to this household", set())
        pending = blocked
    Plan = apps.get_model("casussen", "Plan")
    if Plan.objects.filter(huishouden=huishouden).delete()[0]:
        deleted.append(Plan._meta.label_lower)
    return sorted(set(deleted))


def destroy_household(
    *, huishouden: Huishouden | uuid.UUID | str, by: Any, reden: str
) -> Huishouden:
    """Destroy the personal data of ``huishouden`` for good (see the module docstring).

    ``by`` is the user who decided it (the approver of the destruction list, the privacy
    officer granting erasure) or None for the system. Raises ``VernietigingGeweigerd``
    with a Dutch message when it may not go now; nothing is changed then.
    """
    pk = huishouden.pk if isinstance(huishouden, Huishouden) else huishouden
    return _destroy(pk, by=by, reden=reden, guards=True)


@transaction.atomic
def _destroy(pk: Any, *, by: Any, reden: str, guards: bool) -> Huishouden:
    from casussen.services.huishouden import huishouden_shred

    current = Huishouden.objects.select_for_update().get(pk=pk)
    refusal = destroy_refusal(current) if guards else None
    if refusal:
        raise VernietigingGeweigerd(refusal)
    already = current.is_vernietigd
    persoon_ids = list(current.gezinsleden.values_list("pk", flat=True))
    tables = _delete_sealed_rows(current)
    if already:
        if tables:
            record(
                actor=by,
                username="" if by is not None else "systeem",
                actie=Actie.DELETE,
                doel=Doel.BEHEER,
                object_type="huishouden",
                object_id=current.pk,
                huishouden_id=current.pk,
                persoon_ids=persoon_ids,
                velden=tables,
                reden=reden,
            )
        return current
    return huishouden_shred(
        huishouden=current,
        by=by,
        reden=reden,
        velden=tables,
        persoon_ids=persoon_ids,
        guards=guards,
    )


def reapply_ledger() -> int:
    """After a restore: destroy again every household the shred ledger says is gone.

    No guard applies (it was destroyed already, before the backup was restored); each
    household in its own transaction, so an interrupted run can simply be run again.
    """
    from audit import shred_ledger

    done = 0
    for entry in shred_ledger.behind():
        reden = _("Opnieuw vernietigd na terugzetten van een back-up (grootboek %(op)s)") % {
            "op": entry.vernietigd_op[:19]
        }
        if Huishouden.objects.filter(pk=entry.huishouden_id).exists():
            _destroy(entry.huishouden_id, by=None, reden=reden, guards=False)
        else:
            _shred_orphan_key(entry.data_key_id)
        done += 1
    return done


@transaction.atomic
def _shred_orphan_key(data_key_id: str) -> None:
    """A data key whose household row is gone: destroy it all the same."""
    from toegang.crypto.datakeys import data_key_destroy
    from toegang.crypto.models import DataKey

    key = DataKey.objects.select_for_update().filter(pk=data_key_id).first()
    if key is not None and not key.is_destroyed:
        data_key_destroy(key)


# -- destruction lists -----------------------------------------------------------------


@transaction.atomic
def vernietigingslijst_opstellen(*, by: Any = None, today: Any = None) -> Vernietigingslijst | None:
    """Put every household past its term on a new list (None when there is none).

    ``by`` is None for the nightly job. Records one audit record with the ids.
    """
    from casussen.vernietiging_selectors import te_vernietigen

    kandidaten = te_vernietigen(today)
    if not kandidaten:
        return None
    lijst = Vernietigingslijst.objects.create(opgesteld_door=by)
    Vernietigingsitem.objects.bulk_create(
        Vernietigingsitem(
            lijst=lijst,
            huishouden_id=k.huishouden_id,
            casus_ids=k.casus_ids,
            signaal_ids=k.signaal_ids,
            afsluiter_ids=k.afsluiter_ids,
            afgesloten_op=k.afgesloten_op,
            grondslag=k.grondslag,
            termijn=k.termijn[:64],
            verlopen_op=k.verlopen_op,
        )
        for k in kandidaten
    )
    record(
        actor=by,
        username="" if by is not None else "systeem",
        actie=Actie.CREATE,
        doel=Doel.BEHEER,
        object_type="vernietigingslijst",
        object_id=lijst.pk,
        object_ids=[k.huishouden_id for k in kandidaten],
    )
    return lijst


@transaction.atomic
def vernietiging_besluiten(
    *, item: Vernietigingsitem, goedkeuren: bool, by: Any, toelichting: str = ""
) -> Vernietigingsitem:
    """Approve or withhold one item (four eyes: not who drew up the list or closed a casus)."""
    from casussen.models import Besluit

    current = Vernietigingsitem.objects.select_for_update().select_related("lijst").get(pk=item.pk)
    if current.besluit != Besluit.VOORGESTELD:
        raise CasusConflict(_("Over dit item is al besloten."))
    toelichting = (toelichting or "").strip()
    if len(toelichting) > 500:
        raise ValidationError({"toelichting": _("Maximaal %(n)s tekens.") % {"n": 500}})
    if goedkeuren:
        if current.lijst.opgesteld_door_id == by.pk:
            raise CasusConflict(
                _("U heeft deze lijst zelf opgesteld; een ander moet haar goedkeuren.")
            )
        if by.pk in current.afsluiter_ids:
            raise CasusConflict(
                _("U heeft een casus op dit item zelf afgesloten; een ander moet het goedkeuren.")
            )
    elif not toelichting:
        raise ValidationError({"toelichting": _("Geef aan waarom u dit item aanhoudt.")})
    current.besluit = Besluit.GOEDGEKEURD if goedkeuren else Besluit.AANGEHOUDEN
    current.besluit_door = by
    current.besluit_op = timezone.now()
    current.toelichting = toelichting
    current.save(update_fields=["besluit", "besluit_door", "besluit_op", "toelichting"])
    record(
        actor=by,
        actie=Actie.UPDATE,
        doel=Doel.BEHEER,
        object_type="vernietigingsitem",
        object_id=current.pk,
        huishouden_id=current.huishouden_id,
        velden=["besluit"],
        reden=current.besluit,
    )
    return current


def _destroy_item(item_id: int) -> bool:
    """Destroy one approved item in one transaction with its mark; False if not (now)."""
    from casussen.models import Besluit

    with transaction.atomic():
        item = (
            Vernietigingsitem.objects.select_for_update(skip_locked=True)
            .filter(pk=item_id, besluit=Besluit.GOEDGEKEURD)
            .first()
        )
        if item is None:
            return False
        reden = _("Vernietigingslijst %(lijst)s, item %(item)s (bewaartermijn verstreken)") % {
            "lijst": item.lijst_id,
            "item": item.pk,
        }
        try:
            if _has_open_casus(item.huishouden_id):
                raise VernietigingGeweigerd(
                    _("Een casus van dit huishouden is weer open; het is niet vernietigd.")
                )
            with transaction.atomic():
                destroy_household(huishouden=item.huishouden_id, by=item.besluit_door, reden=reden)
        except VernietigingGeweigerd as exc:
            item.besluit = Besluit.AANGEHOUDEN
            item.besluit_door = None
            item.toelichting = exc.message[:500]
            item.save(update_fields=["besluit", "besluit_door", "toelichting"])
            return False
        except Huishouden.DoesNotExist:
            pass  # gone already: nothing left to destroy
        item.besluit = Besluit.VERNIETIGD
        item.vernietigd_op = timezone.now()
        item.save(update_fields=["besluit", "vernietigd_op"])
        return True


def _has_open_casus(huishouden_id: Any) -> bool:
    from casussen.models import Casus

    return (
        Casus.objects.filter(huishouden_id=huishouden_id)
        .exclude(status=Casus.Status.AFGESLOTEN)
        .exists()
    )


def vernietiging_uitvoeren(*, limit: int | None = None) -> int:
    """Destroy approved items, each in its own transaction; returns how many went.

    Interrupted halfway, the done items are marked and the rest still approved:
    running it again continues and destroys nothing twice.
    """
    from casussen.models import Besluit

    ids = list(
        Vernietigingsitem.objects.filter(besluit=Besluit.GOEDGEKEURD)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for item_id in ids if _destroy_item(item_id))


def job_uitvoeren() -> int:
    """Worker job: destroy what was approved (a few at a time, so the lane stays free)."""
    return vernietiging_uitvoeren(limit=20)


def job_opstellen() -> int:
    """Nightly worker job: draw up a list of what reached its term."""
    vernietigingslijst_opstellen(by=None)
    return 0
