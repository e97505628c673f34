"""The privacy officer's page of residents' requests: correction, restriction, objection, erasure.

Only the privacy officer comes here; anyone else gets 403 and the attempt is
audited (``require_privacy_officer``). The resident is identified by BSN or
surname and date of birth, by POST, and only the pseudonymous ids are kept.
Every page that shows a request's details is an audit record (doel ``rechten``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import Actie, Doel
from audit.services import record
from audit.subjects import ResidentLookupUnavailableError, find_resident
from casussen.errors import CasusConflict
from casussen.forms import RechtenverzoekForm, VerzoekRedenForm
from casussen.models import Gezinslid, Huishouden, Verzoeksoort
from casussen.rechten_selectors import Dossier, verzoek_dossier, verzoeken
from casussen.services import rechten
from casussen.views.casus import apply_errors
from toegang.roles import Rol

View = Callable[..., HttpResponse]


def privacy_officer_only(view: View) -> View:
    """Logged in and privacy officer; others 403, and the attempt is audited."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rechten.require_privacy_officer(
            request.user, request=request, object_id=kwargs.get("verzoek_id", "")
        )
        return view(request, *args, **kwargs)

    wrapper.allowed_roles = frozenset({Rol.PRIVACY_OFFICER})  # type: ignore[attr-defined]
    return wrapper


def _list_context(request: HttpRequest, form: RechtenverzoekForm) -> dict[str, Any]:
    alle = request.GET.get("alle") == "1"
    items = list(verzoeken(alle=alle))
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.RECHTEN,
        object_type="rechtenverzoeken",
        object_ids=[v.pk for v in items],
        huishouden_ids=[v.huishouden_id for v in items],
        request=request,
    )
    return {"form": form, "verzoeken": items, "alle": alle}


def _resident(form: RechtenverzoekForm) -> tuple[Huishouden, Gezinslid | None]:
    """The one household (and person) the form names; raises ValidationError in Dutch."""
    subject = find_resident(**form.resident_kwargs())
    if not subject.huishouden_ids:
        raise ValidationError(_("Geen inwoner gevonden met deze gegevens."))
    if len(subject.huishouden_ids) > 1:
        raise ValidationError(_("Deze gegevens passen bij meer dan één huishouden; zoek op BSN."))
    huishouden = Huishouden.objects.get(pk=subject.huishouden_ids[0])
    persoon = None
    if form.cleaned_data["soort"] == Verzoeksoort.CORRECTIE:
        if len(subject.persoon_ids) != 1:
            raise ValidationError(_("Zoek op BSN om één gezinslid te kiezen."))
        persoon = Gezinslid.objects.get(pk=subject.persoon_ids[0])
    return huishouden, persoon


@privacy_officer_only
@require_http_methods(["GET", "POST"])
def rechtenverzoeken(request: HttpRequest) -> HttpResponse:
    form = RechtenverzoekForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            huishouden, gezinslid = _resident(form)
            verzoek = rechten.verzoek_registreren(
                soort=data["soort"],
                huishouden=huishouden,
                by=request.user,
                reden=data["reden"],
                ontvangen_op=data.get("ontvangen_op"),
                gezinslid=gezinslid,
                veld=data.get("veld") or "",
                nieuwe_waarde=data.get("nieuwe_waarde") or "",
                request=request,
            )
        except ResidentLookupUnavailableError:
            form.add_error(None, _("Zoeken op inwoner is nog niet beschikbaar."))
        except ValidationError as exc:
            apply_errors(form, exc)
        except CasusConflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Het verzoek is geregistreerd."))
            return redirect("casussen:rechtenverzoek", verzoek_id=verzoek.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "casussen/rechten.html", _list_context(request, form), status=status)


def _dossier(request: HttpRequest, verzoek_id: uuid.UUID) -> Dossier:
    dossier = verzoek_dossier(verzoek_id)
    if dossier is None:
        raise Http404
    return dossier


def _show(
    request: HttpRequest, dossier: Dossier, *, fout: str = "", status: int = 200
) -> HttpResponse:
    verzoek = dossier.verzoek
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.RECHTEN,
        object_type="rechtenverzoek",
        object_id=verzoek.pk,
        huishouden_id=verzoek.huishouden_id,
        persoon_ids=[lid.pk for lid in dossier.leden],
        velden=["stappen", "gezinsleden"],
        request=request,
    )
    context = {
        "dossier": dossier,
        "verzoek": verzoek,
        "fout": fout,
        "veldnaam": rechten.CORRIGEERBAAR.get(verzoek.veld, ""),
        "huidige_waarde": getattr(dossier.gezinslid, verzoek.veld, "") if verzoek.veld else "",
        "reden_form": VerzoekRedenForm(),
    }
    return render(request, "casussen/rechtenverzoek.html", context, status=status)


@privacy_officer_only
@require_http_methods(["GET"])
def rechtenverzoek(request: HttpRequest, verzoek_id: uuid.UUID) -> HttpResponse:
    return _show(request, _dossier(request, verzoek_id))


def _step(
    request: HttpRequest, verzoek_id: uuid.UUID, action: Callable[..., Any], done: str
) -> HttpResponse:
    dossier = _dossier(request, verzoek_id)
    form = VerzoekRedenForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reden"][0])
        action(verzoek=dossier.verzoek, by=request.user, reden=form.cleaned_data["reden"])
    except ValidationError as exc:
        return _show(request, dossier, fout=" ".join(exc.messages), status=400)
    except CasusConflict as exc:
        return _show(request, dossier, fout=exc.message, status=409)
    messages.success(request, done)
    return redirect("casussen:rechtenverzoek", verzoek_id=verzoek_id)


@require_POST
@privacy_officer_only
def rechtenverzoek_besluit(request: HttpRequest, verzoek_id: uuid.UUID) -> HttpResponse:
    toewijzen = request.POST.get("besluit") == "toewijzen"

    def besluiten(**kwargs: Any) -> Any:
        return rechten.verzoek_besluiten(toewijzen=toewijzen, request=request, **kwargs)

    done = _("Het verzoek is toegewezen.") if toewijzen else _("Het verzoek is afgewezen.")
    return _step(request, verzoek_id, besluiten, done)


@require_POST
@privacy_officer_only
def rechtenverzoek_verlengen(request: HttpRequest, verzoek_id: uuid.UUID) -> HttpResponse:
    def verlengen(**kwargs: Any) -> Any:
        return rechten.verzoek_verlengen(request=request, **kwargs)

    return _step(request, verzoek_id, verlengen, _("De termijn is met twee maanden verlengd."))


@require_POST
@privacy_officer_only
def rechtenverzoek_opheffen(request: HttpRequest, verzoek_id: uuid.UUID) -> HttpResponse:
    def opheffen(**kwargs: Any) -> Any:
        return rechten.beperking_opheffen(request=request, **kwargs)

    return _step(request, verzoek_id, opheffen, _("De beperking is opgeheven."))
