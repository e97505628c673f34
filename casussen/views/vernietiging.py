"""The destruction list for the privacy officer and the bewaartermijnen table.

Both show ids, dates, grondslagen and terms: no names, nothing decrypted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casussen import bewaartermijnen
from casussen.errors import CasusConflict
from casussen.models import Grondslag, Vernietigingsitem
from casussen.services.retention import vernietiging_besluiten, vernietigingslijst_opstellen
from casussen.vernietiging_selectors import afgehandelde_items, open_items
from toegang.access import role_required
from toegang.roles import Rol

GRONDSLAGEN = dict(Grondslag.choices)


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    items = list(open_items())
    for item in items:
        item.grondslag_label = GRONDSLAGEN.get(item.grondslag, "—")  # type: ignore[attr-defined]
        item.eigen = request.user.pk in item.afsluiter_ids or (  # type: ignore[attr-defined]
            item.lijst.opgesteld_door_id == request.user.pk
        )
    return {"items": items, "afgehandeld": list(afgehandelde_items()), **extra}


@role_required(Rol.PRIVACY_OFFICER)
def vernietigingslijst(request: HttpRequest) -> HttpResponse:
    return render(request, "casussen/vernietiging.html", _context(request))


@require_POST
@role_required(Rol.PRIVACY_OFFICER)
def opstellen(request: HttpRequest) -> HttpResponse:
    lijst = vernietigingslijst_opstellen(by=request.user)
    if lijst is None:
        messages.info(
            request, _("Niets heeft de bewaartermijn bereikt dat nog op geen lijst staat.")
        )
    else:
        messages.success(request, _("Een nieuwe vernietigingslijst is opgesteld."))
    return redirect("casussen:vernietiging")


@require_POST
@role_required(Rol.PRIVACY_OFFICER)
def besluit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = Vernietigingsitem.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404
    goedkeuren = request.POST.get("besluit") == "goedkeuren"
    try:
        vernietiging_besluiten(
            item=item,
            goedkeuren=goedkeuren,
            by=request.user,
            toelichting=request.POST.get("toelichting", ""),
        )
    except CasusConflict as exc:
        context = _context(request, fout=exc.message, fout_item=item.pk)
        return render(request, "casussen/vernietiging.html", context, status=409)
    except ValidationError as exc:
        context = _context(request, fout=" ".join(exc.messages), fout_item=item.pk)
        return render(request, "casussen/vernietiging.html", context, status=400)
    if goedkeuren:
        messages.success(request, _("Goedgekeurd: het huishouden wordt vernietigd."))
    else:
        messages.success(request, _("Aangehouden."))
    return redirect("casussen:vernietiging")


@role_required(Rol.BEHEERDER, Rol.PRIVACY_OFFICER)
def bewaartermijnen_tabel(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "casussen/bewaartermijnen.html",
        {
            "klassen": bewaartermijnen.tabel(),
            "versie": bewaartermijnen.VERSIE,
            "te_controleren": bewaartermijnen.TE_CONTROLEREN,
        },
    )
