"""The case page and its actions: status, overdracht, betrokkenen, noodtoegang.

Access is checked once per request by the selector (404 for what the user may
not see); the services check their own rules again.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Actie, Doel
from audit.services import record
from casussen import leefgebieden as lg
from casussen.errors import CasusConflict
from casussen.forms import BetrokkeneForm, NoodtoegangForm, OverdrachtForm, StatusForm
from casussen.models import Betrokkene, Casus, Relatie, TimelineEntry
from casussen.selectors import (
    betrokkenen_of,
    casus_get_for_user,
    casussen_for_user,
    noodtoegang_actief,
)
from casussen.services.betrokkenen import betrokkene_add, betrokkene_revoke, noodtoegang_start
from casussen.services.casus import casus_overdragen, casus_set_status
from casussen.views.afsluiting import afsluiting_context
from toegang.access import role_required
from toegang.roles import Rol

SHOWN_FIELDS = ["voornaam", "achternaam", "geboortedatum", "straat", "huisnummer", "postcode",
                "woonplaats", "telefoon", "relatie"]  # fmt: skip
TIJDLIJN_MAX = 50


def apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def page_context(request: HttpRequest, casus: Casus) -> dict[str, Any]:
    """Everything the case page shows; decrypts only those fields and records the read."""
    user = request.user
    leden = list(casus.huishouden.gezinsleden.all())
    tijdlijn = list(
        TimelineEntry.objects.filter(casus=casus)
        .select_related("actor")
        .order_by("-created_at")[:TIJDLIJN_MAX]
    )
    nood = noodtoegang_actief(user=user, casus_id=casus.pk)
    may_change = getattr(casus, "may_change", False)  # annotated by the selector
    record(
        actor=user,
        actie=Actie.READ,
        doel=Doel.NOODTOEGANG if nood else Doel.CASUSBEHANDELING,
        object_type="casus",
        object_id=casus.pk,
        huishouden_id=casus.huishouden_id,
        persoon_ids=[lid.pk for lid in leden],
        velden=[*SHOWN_FIELDS, "tijdlijn", "betrokkenen"],
        noodtoegang=nood is not None,
        request=request,
    )
    return {
        "casus": casus,
        "huishouden_naam": huishouden_naam(leden),
        "vernietigd": casus.huishouden.is_vernietigd,
        "leden": leden,
        "tijdlijn": tijdlijn,
        "betrokkenen": list(betrokkenen_of(casus=casus)),
        "noodtoegang": nood,
        "may_change": may_change,
        "is_aanspreekpunt": casus.aanspreekpunt_id == user.pk,
        "leefgebieden": [lg.label(c) for c in casus.leefgebieden],
        "status_form": StatusForm(initial={"status": casus.status, "version": casus.version}),
        **afsluiting_context(casus, user),
        "signalen_url": _signalen_url(casus),
        "agendapunten": list(
            casus.agendapunten.select_related("sessie__overleg").prefetch_related(
                "afspraken__organisatie"
            )
        )
        if casus.aanspreekpunt_id == user.pk
        else [],
    }


def huishouden_naam(leden: list[Any]) -> str:
    """ "Huishouden De Vries": the aanvrager's surname (else the first member's); "" if none."""
    aanvrager = next((lid for lid in leden if lid.relatie == Relatie.AANVRAGER), None)
    lid = aanvrager or (leden[0] if leden else None)
    if lid is None or not isinstance(lid.achternaam, str) or not lid.achternaam:
        return ""
    return _("Huishouden %(naam)s") % {"naam": lid.achternaam}


def _signalen_url(casus: Casus) -> str | None:
    """The signals fragment of signalen (casussen does not import signalen)."""
    try:
        return reverse("signalen:casus_signalen", args=[casus.pk])
    except NoReverseMatch:
        return None


@role_required(Rol.CONSULENT)
def casus_detail(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_get_for_user(user=request.user, casus_id=casus_id)
    return render(request, "casussen/casus.html", page_context(request, casus))


@require_POST
@role_required(Rol.CONSULENT)
def casus_status(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
    form = StatusForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            casus_set_status(
                casus=casus,
                status=form.cleaned_data["status"],
                version=form.cleaned_data["version"],
                afsluitreden=form.cleaned_data["afsluitreden"] or None,
                grondslag=form.cleaned_data["grondslag"] or None,
                by=request.user,  # type: ignore[arg-type]
            )
        except CasusConflict as exc:
            conflict = exc.message
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("De status is gewijzigd."))
            return redirect("casussen:casus", casus_id=casus.pk)
    casus.refresh_from_db()
    context = page_context(request, casus)
    context["status_form"] = form if not conflict else context["status_form"]
    context["conflict"] = conflict
    status = 409 if conflict else 400
    return render(request, "casussen/casus.html", context, status=status)


def _casus_to_manage(request: HttpRequest, casus_id: uuid.UUID) -> Casus:
    """Overdracht: the aanspreekpunt (change access) or a teamleider of the casus's team."""
    user = request.user
    if user.rol == Rol.TEAMLEIDER:  # type: ignore[union-attr]
        casus = (
            Casus.objects.select_related("aanspreekpunt")
            .filter(pk=casus_id, team_id=user.team_id, beperkt=False)  # type: ignore[union-attr,misc]
            .first()
        )
        if casus is None:
            raise Http404
        return casus
    return casus_get_for_user(user=user, casus_id=casus_id, need="change")


@role_required(Rol.CONSULENT, Rol.TEAMLEIDER)
def casus_overdracht(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = _casus_to_manage(request, casus_id)
    exclude = [casus.aanspreekpunt_id] if casus.aanspreekpunt_id else []
    form = OverdrachtForm(request.POST or None, exclude=exclude)
    if request.method == "POST" and form.is_valid():
        try:
            casus = casus_overdragen(
                casus=casus,
                naar=form.cleaned_data["naar"],
                notitie=form.cleaned_data["notitie"],
                blijft_betrokkene=form.cleaned_data["blijft_betrokkene"],
                by=request.user,  # type: ignore[arg-type]
            )
        except CasusConflict as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("De casus is overgedragen."))
            if request.user.rol == Rol.TEAMLEIDER:  # type: ignore[union-attr]
                return redirect("casussen:caseload")
            if casussen_for_user(user=request.user).filter(pk=casus.pk).exists():
                return redirect("casussen:casus", casus_id=casus.pk)
            return redirect("casussen:mijn_casussen")
    return render(request, "casussen/overdracht.html", {"casus": casus, "form": form})


@role_required(Rol.CONSULENT)
def betrokkene_toevoegen(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
    if casus.aanspreekpunt_id != request.user.pk:
        raise Http404
    actief = list(
        casus.betrokkenen.filter(revoked_at__isnull=True).values_list("user_id", flat=True)
    )
    form = BetrokkeneForm(request.POST or None, exclude=[casus.aanspreekpunt_id, *actief])
    if request.method == "POST" and form.is_valid():
        try:
            betrokkene_add(casus=casus, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except CasusConflict as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("De betrokkene is toegevoegd."))
            return redirect("casussen:casus", casus_id=casus.pk)
    return render(request, "casussen/betrokkene.html", {"casus": casus, "form": form})


@require_POST
@role_required(Rol.CONSULENT)
def betrokkene_intrekken(
    request: HttpRequest, casus_id: uuid.UUID, betrokkene_id: uuid.UUID
) -> HttpResponse:
    casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
    betrokkene = Betrokkene.objects.filter(pk=betrokkene_id, casus=casus).first()
    if betrokkene is None or casus.aanspreekpunt_id != request.user.pk:
        raise Http404
    try:
        betrokkene_revoke(betrokkene=betrokkene, by=request.user)  # type: ignore[arg-type]
    except CasusConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("De toegang van de betrokkene is beëindigd."))
    return redirect("casussen:casus", casus_id=casus.pk)


@role_required(Rol.CONSULENT)
def noodtoegang(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    """The form asks only a reason; the casus is looked up on submit (no existence leak)."""
    form = NoodtoegangForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            noodtoegang_start(
                casus_id=casus_id,
                reden=form.cleaned_data["reden"],
                by=request.user,  # type: ignore[arg-type]
                request=request,
            )
        except Casus.DoesNotExist:
            raise Http404 from None
        except CasusConflict:
            return redirect("casussen:casus", casus_id=casus_id)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.warning(request, _("U werkt met noodtoegang. Dit wordt beoordeeld."))
            return redirect("casussen:casus", casus_id=casus_id)
    return render(request, "casussen/noodtoegang.html", {"form": form, "casus_id": casus_id})
