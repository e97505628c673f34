"""The intake queue "Aanmeldingen" of a team: list, one aanmelding, and its decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.models import Actie, Doel
from audit.services import record
from casussen.errors import CasusConflict
from casussen.selectors import CaseloadRij, caseload_for_team
from signalen import selectors
from signalen.forms import TerugkoppelingForm
from signalen.models import Signaal
from signalen.services import (
    signaal_assign,
    signaal_match_confirm,
    signaal_match_reject,
    signaal_match_vragen,
    signaal_terugkoppelen,
)
from toegang.access import role_required
from toegang.datums import datum
from toegang.models import User
from toegang.roles import Rol

_TEAM = (Rol.CONSULENT, Rol.TEAMLEIDER)


def _consulenten(user: Any) -> list[User]:
    return list(
        User.objects.filter(team_id=user.team_id, rol=Rol.CONSULENT, is_active=True).order_by(
            "first_name", "last_name", "username"
        )
    )


def _consulenten_met_caseload(user: Any) -> list[CaseloadRij]:
    """The team's consultants by name, each with their open casussen (assign in view)."""
    rijen = caseload_for_team(team=user.team)
    return sorted(rijen, key=lambda rij: (rij.consulent.first_name, rij.consulent.last_name))


def inwoner_naam(signaal: Signaal) -> str:
    """The resident's name as the melder gave it ("" for an anonymous signal)."""
    gegevens = signaal.inwoner_gegevens
    return " ".join(n for n in (gegevens.get("voornaam"), gegevens.get("achternaam")) if n)


MATCH_LEDEN_VELDEN = ["voornaam", "achternaam", "geboortedatum", "relatie"]


def _audit_match_leden(request: HttpRequest, kandidaten: list[selectors.MatchKandidaat]) -> None:
    """The members of each candidate household, read to decide this match."""
    for kandidaat in kandidaten:
        record(
            actor=request.user,
            actie=Actie.READ,
            doel=Doel.INTAKE,
            object_type="huishouden",
            object_id=kandidaat.huishouden_id,
            huishouden_id=kandidaat.huishouden_id,
            persoon_ids=kandidaat.persoon_ids,
            velden=MATCH_LEDEN_VELDEN,
            reden="mogelijke match beoordelen",
            request=request,
        )


_INWONER_LABELS = {
    "voornaam": gettext_lazy("Voornaam"),
    "achternaam": gettext_lazy("Achternaam"),
    "geboortedatum": gettext_lazy("Geboortedatum"),
    "bsn": gettext_lazy("BSN"),
    "straat": gettext_lazy("Straat"),
    "huisnummer": gettext_lazy("Huisnummer"),
    "postcode": gettext_lazy("Postcode"),
    "woonplaats": gettext_lazy("Woonplaats"),
    "telefoon": gettext_lazy("Telefoon"),
}


def _inwoner_rijen(signaal: Signaal) -> list[tuple[str, str]]:
    gegevens = signaal.inwoner_gegevens
    return [
        (str(label), datum(gegevens[key], "kort") if key == "geboortedatum" else gegevens[key])
        for key, label in _INWONER_LABELS.items()
        if key in gegevens
    ]


@role_required(*_TEAM)
def lijst(request: HttpRequest) -> HttpResponse:
    aanmeldingen = list(selectors.aanmeldingen_for_user(user=request.user)[:200])
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.INTAKE,
        object_type="signaal",
        object_ids=[s.pk for s in aanmeldingen],
        huishouden_ids=[s.huishouden_id for s in aanmeldingen],
        velden=["referentie", "leefgebieden", "urgent", "toestemming", "inwoner.naam"],
        request=request,
    )
    for signaal in aanmeldingen:
        signaal.inwoner_naam = inwoner_naam(signaal)  # type: ignore[attr-defined]
    context = {"aanmeldingen": aanmeldingen}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "signalen/_aanmeldingen_lijst.html", context)
    return render(request, "signalen/aanmeldingen.html", context)


@role_required(*_TEAM)
def detail(request: HttpRequest, pk: str) -> HttpResponse:
    signaal = selectors.aanmelding_get_for_user(user=request.user, signaal_id=pk)
    kandidaten = selectors.match_kandidaten(signaal=signaal)
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.INTAKE,
        object_type="signaal",
        object_id=signaal.pk,
        huishouden_id=signaal.huishouden_id,
        # The possible matches show the casus and aanspreekpunt of other households.
        huishouden_ids=[k.huishouden_id for k in kandidaten],
        velden=["omschrijving", "contactroute", "inwoner", "mogelijke_match"],
        request=request,
    )
    _audit_match_leden(request, kandidaten)
    return render(
        request,
        "signalen/aanmelding.html",
        {
            "signaal": signaal,
            "inwoner": _inwoner_rijen(signaal),
            "kandidaten": kandidaten,
            "consulenten": _consulenten_met_caseload(request.user),
            "is_teamleider": request.user.rol == Rol.TEAMLEIDER,  # type: ignore[union-attr]
            "terugkoppeling_form": TerugkoppelingForm(prefix="afhandelen"),
        },
    )


def _done(request: HttpRequest, signaal: Signaal, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("signalen:aanmeldingen")


def _failed(request: HttpRequest, pk: str, error: ValidationError | CasusConflict) -> HttpResponse:
    for message in error.messages if isinstance(error, ValidationError) else [error.message]:
        messages.error(request, message)
    return redirect("signalen:aanmelding", pk=pk)


@role_required(*_TEAM)
@require_POST
def toewijzen(request: HttpRequest, pk: str) -> HttpResponse:
    signaal = selectors.aanmelding_get_for_user(user=request.user, signaal_id=pk)
    user: Any = request.user
    gekozen = request.POST.get("aanspreekpunt") or ""
    aanspreekpunt = user
    if user.rol == Rol.TEAMLEIDER:
        aanspreekpunt = next((c for c in _consulenten(user) if str(c.pk) == gekozen), None)
        if aanspreekpunt is None:
            return _failed(request, pk, ValidationError(_("Kies een consulent van het team.")))
    try:
        signaal = signaal_assign(signaal=signaal, aanspreekpunt=aanspreekpunt, by=user)
    except (ValidationError, CasusConflict) as error:
        return _failed(request, pk, error)
    if aanspreekpunt == user:
        # The consultant who picked it up is its aanspreekpunt: straight to the casus.
        messages.success(request, _("U bent nu het aanspreekpunt van deze casus."))
        return redirect("casussen:casus", casus_id=signaal.casus_id)
    return _done(
        request,
        signaal,
        _("U heeft de aanmelding toegewezen aan %(naam)s. De casus staat nu in de caseload.")
        % {"naam": aanspreekpunt.weergavenaam},
    )


@role_required(*_TEAM)
@require_POST
def match(request: HttpRequest, pk: str) -> HttpResponse:
    signaal = selectors.aanmelding_get_for_user(user=request.user, signaal_id=pk)
    huishouden_id = request.POST.get("huishouden", "")
    besluit = request.POST.get("besluit")
    try:
        if besluit == "bevestigen":
            signaal = signaal_match_confirm(
                signaal=signaal, huishouden_id=huishouden_id, by=request.user
            )
        elif besluit == "vragen":
            casus = signaal_match_vragen(
                signaal=signaal, huishouden_id=huishouden_id, by=request.user
            )
            messages.success(
                request,
                _("Uw vraag staat bij %(naam)s op de tijdlijn van de casus.")
                % {"naam": casus.aanspreekpunt.weergavenaam},  # type: ignore[union-attr]
            )
            return redirect("signalen:aanmelding", pk=pk)
        elif besluit == "afwijzen":
            signaal = signaal_match_reject(
                signaal=signaal, huishouden_id=huishouden_id, by=request.user
            )
        else:
            raise ValidationError(
                _("Kies koppelen, een nieuw huishouden of het aanspreekpunt vragen.")
            )
    except (ValidationError, CasusConflict) as error:
        return _failed(request, pk, error)
    if besluit == "afwijzen":
        messages.success(request, _("Geen match: het signaal blijft bij een eigen huishouden."))
        return redirect("signalen:aanmelding", pk=pk)
    if signaal.casus_id:
        return _done(request, signaal, _("Het signaal is aan de bestaande casus gekoppeld."))
    messages.success(
        request, _("Het signaal hoort bij het bekende huishouden; wijs nog een aanspreekpunt toe.")
    )
    return redirect("signalen:aanmelding", pk=pk)


@role_required(*_TEAM)
@require_POST
def afhandelen(request: HttpRequest, pk: str) -> HttpResponse:
    """Close an aanmelding without a casus (e.g. referred elsewhere), with terugkoppeling."""
    signaal = selectors.aanmelding_get_for_user(user=request.user, signaal_id=pk)
    form = TerugkoppelingForm(request.POST, prefix="afhandelen")
    if not form.is_valid():
        return _failed(request, pk, ValidationError(list(next(iter(form.errors.values())))))
    try:
        signaal_terugkoppelen(
            signaal=signaal,
            status=form.cleaned_data["status"],
            bericht=form.cleaned_data["bericht"],
            by=request.user,
        )
    except (ValidationError, CasusConflict) as error:
        return _failed(request, pk, error)
    return _done(request, signaal, _("De terugkoppeling is verstuurd."))
