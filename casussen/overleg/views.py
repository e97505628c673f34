"""Pages of the sociaal vangnet overleg: ``/casussen/overleg/…`` (namespace ``casussen:overleg``).

Every page asks the selectors (``casussen.overleg.selectors``) what the user may
see now; what they may not is a 404 like a missing id, and that refusal is audited
with purpose ``overleg``. Every view of shared content is audited too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Actie as AuditActie
from audit.models import Doel
from audit.services import record
from casussen.overleg import selectors as sel
from casussen.overleg import services
from casussen.overleg.forms import (
    AanwezigForm,
    AfspraakForm,
    BevestigForm,
    InbrengForm,
    OverlegForm,
    SessieForm,
    StatusForm,
    VerslagForm,
)
from casussen.overleg.models import Afspraak, Agendapunt, Overleg, Sessie
from casussen.plan.models import Doel as PlanDoel
from casussen.plan.selectors import plan_for_casus
from casussen.selectors import casus_get_for_user
from casussen.views.casus import apply_errors
from toegang.access import role_required
from toegang.models import User
from toegang.roles import Rol

_Found = TypeVar("_Found")

C, T, M, P = Rol.CONSULENT, Rol.TEAMLEIDER, Rol.MELDER, Rol.PRIVACY_OFFICER


def _refused(request: HttpRequest, object_type: str, object_id: Any, reden: str) -> None:
    services.audit_refusal(
        by=request.user, object_type=object_type, object_id=object_id, reden=reden, request=request
    )


def _found(
    request: HttpRequest, find: Callable[[], _Found], object_type: str, object_id: Any, reden: str
) -> _Found:
    """What ``find`` returns; its ``Http404`` is audited as a refusal and raised again."""
    try:
        return find()
    except Http404:
        _refused(request, object_type, object_id, reden)
        raise


def _sessie(request: HttpRequest, sessie_id: uuid.UUID) -> Sessie:
    find = partial(sel.sessie_get_for_user, user=request.user, sessie_id=sessie_id)
    return _found(request, find, "overlegsessie", sessie_id, "geen toegang (meer) tot dit overleg")


def _punt(request: HttpRequest, punt_id: uuid.UUID) -> Agendapunt:
    find = partial(sel.punt_get_for_user, user=request.user, punt_id=punt_id)
    return _found(request, find, "agendapunt", punt_id, "geen toegang (meer) tot dit agendapunt")


def _chair_punt(request: HttpRequest, punt_id: uuid.UUID) -> Agendapunt:
    """An item of a session the user chairs (also after the window: the verslag comes later)."""
    punt = (
        Agendapunt.objects.select_related("sessie__overleg", "casus__huishouden__data_key")
        .filter(sel.NIET_BEPERKT, pk=punt_id, sessie__overleg__voorzitter_id=request.user.pk)
        .first()
    )
    if punt is None or not sel.is_voorzitter(request.user, punt.sessie):
        _refused(request, "agendapunt", punt_id, "alleen de voorzitter")
        raise Http404
    return punt


def _audit_read(
    request: HttpRequest, punten: list[Agendapunt], object_type: str, object_id: Any
) -> None:
    if not punten:
        return
    record(
        actor=request.user,
        actie=AuditActie.READ,
        doel=Doel.OVERLEG,
        object_type=object_type,
        object_id=object_id,
        object_ids=[p.pk for p in punten],
        huishouden_id=punten[0].casus.huishouden_id if len(punten) == 1 else None,
        huishouden_ids=[p.casus.huishouden_id for p in punten],
        velden=["hulpvraag", "geprobeerd", "vraag", "leefgebieden"],
        request=request,
    )


def _afspraken_for(user: Any, punt: Agendapunt) -> list[Afspraak]:
    """The chair and the aanspreekpunt see all afspraken; a participant their organisation's."""
    afspraken = punt.afspraken.select_related("organisatie", "actie")
    if sel.is_voorzitter(user, punt.sessie) or punt.ingebracht_door_id == user.pk:
        return list(afspraken)
    if user.rol == Rol.MELDER:
        return list(afspraken.filter(organisatie_id=user.organisatie_id))
    return []


@role_required(C, T, M)
def overzicht(request: HttpRequest, **forms: Any) -> HttpResponse:
    voorzitter_van = list(Overleg.objects.filter(voorzitter_id=request.user.pk))
    return render(
        request,
        "casussen/overleg/overzicht.html",
        {
            "sessies": sel.sessies_for_user(user=request.user),
            "afspraken_count": sel.afspraken_for_organisatie(user=request.user).count(),
            "may_chair": sel.may_chair(request.user),
            "voorzitter_van": [
                (o, forms.get(str(o.pk)) or SessieForm(auto_id=f"o{i}_%s"))
                for i, o in enumerate(voorzitter_van)
            ],
        },
        status=400 if forms else 200,
    )


@role_required(C, T)
def overleg_nieuw(request: HttpRequest) -> HttpResponse:
    """A consulent or teamleider starts an overleg and chairs it."""
    deelnemers = (
        sel.eligible_participants()
        .select_related("organisatie")
        .order_by("organisatie__naam", "last_name", "first_name")
    )
    form = OverlegForm(request.POST or None, deelnemers=deelnemers)
    if request.method == "POST" and form.is_valid():
        try:
            services.overleg_create(
                naam=form.cleaned_data["naam"],
                voorzitter=request.user,  # type: ignore[arg-type]
                deelnemers=form.cleaned_data["deelnemers"],
                schema=form.cleaned_data["schema"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Het overleg is aangemaakt. Plan hieronder de eerste sessie.")
            )
            return redirect("casussen:overleg:overzicht")
    return render(
        request,
        "casussen/overleg/nieuw.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(C, T)
def sessie_nieuw(request: HttpRequest, overleg_id: uuid.UUID) -> HttpResponse:
    """The chair plans the next session (the agenda fills as casussen are brought in)."""
    overleg = Overleg.objects.filter(pk=overleg_id, voorzitter_id=request.user.pk).first()
    if overleg is None:
        _refused(request, "overleg", overleg_id, "alleen de voorzitter")
        raise Http404
    form = SessieForm(request.POST)
    if form.is_valid():
        start = form.cleaned_data["begint_op"]
        try:
            sessie = services.sessie_plan(
                overleg=overleg,
                begint_op=start,
                eindigt_op=start + timedelta(minutes=form.cleaned_data["duur"]),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("De sessie is gepland."))
            return redirect("casussen:overleg:sessie", sessie_id=sessie.pk)
    return overzicht(request, **{str(overleg.pk): form})


def sessie_context(request: HttpRequest, sessie: Sessie, **forms: Any) -> dict[str, Any]:
    user = request.user
    agenda = sel.agenda_for_user(user=user, sessie=sessie)
    voorzitter = sel.is_voorzitter(user, sessie)
    zichtbaar = [p for p, ok in agenda if ok]
    _audit_read(request, zichtbaar, "overlegsessie", sessie.pk)
    context: dict[str, Any] = {
        "sessie": sessie,
        "agenda": [
            {"punt": p, "zichtbaar": ok, "afspraken": _afspraken_for(user, p) if ok else []}
            for p, ok in agenda
        ],
        "voorzitter": voorzitter,
        "open": sel.window_open(sessie),
        "toegang_tot": sel.toegang_tot(sessie),
        "aanwezigen": list(sessie.aanwezigen.all()),
        "huidig": _huidig_context(request, sessie, audit=False),
    }
    if voorzitter:
        people = User.objects.filter(
            pk__in={
                *sel.deelnemers_of(sessie.overleg).values_list("pk", flat=True),
                *sessie.agenda.filter(sel.NIET_BEPERKT).values_list(
                    "ingebracht_door_id", flat=True
                ),
                sessie.overleg.voorzitter_id,
            }
        ).select_related("organisatie")
        context["aanwezig_form"] = forms.get("aanwezig_form") or AanwezigForm(
            people=people, initial={"aanwezig": context["aanwezigen"]}
        )
        for item in context["agenda"]:
            punt = item["punt"]
            auto_id = f"punt{punt.volgnummer}_%s"  # one form per item: unique ids
            bound = forms.get("afspraak_punt") == punt.pk and forms.get("afspraak_form")
            item["afspraak_form"] = bound or AfspraakForm(sessie=sessie, auto_id=auto_id)
            item["afspraak_open"] = bool(bound)
            item["verslag_form"] = VerslagForm(auto_id=auto_id)
    return context


def _huidig_context(request: HttpRequest, sessie: Sessie, *, audit: bool) -> dict[str, Any]:
    punt = sessie.huidig_punt
    if punt is None or not sel.window_open(sessie):
        return {"punt": None}
    punt = (
        Agendapunt.objects.select_related("casus__huishouden__data_key")
        .filter(sel.NIET_BEPERKT, pk=punt.pk)
        .first()
    )
    if punt is None:
        return {"punt": None}
    zichtbaar = sel.may_view_punt(request.user, punt)
    if audit and zichtbaar:
        _audit_read(request, [punt], "agendapunt", punt.pk)
    return {"punt": punt, "zichtbaar": zichtbaar}


@role_required(C, T, M)
def sessie_page(request: HttpRequest, sessie_id: uuid.UUID) -> HttpResponse:
    sessie = _sessie(request, sessie_id)
    return render(request, "casussen/overleg/sessie.html", sessie_context(request, sessie))


@role_required(C, T, M)
def huidig(request: HttpRequest, sessie_id: uuid.UUID) -> HttpResponse:
    """The current item (htmx fragment), re-fetched live when the chair moves on."""
    sessie = _sessie(request, sessie_id)
    return render(
        request,
        "casussen/overleg/_huidig.html",
        {"sessie": sessie, "huidig": _huidig_context(request, sessie, audit=True)},
    )


@role_required(C, T, M)
def punt_page(request: HttpRequest, punt_id: uuid.UUID) -> HttpResponse:
    punt = _punt(request, punt_id)
    _audit_read(request, [punt], "agendapunt", punt.pk)
    return render(
        request,
        "casussen/overleg/punt.html",
        {"punt": punt, "afspraken": _afspraken_for(request.user, punt)},
    )


def _chair_sessie(request: HttpRequest, sessie_id: uuid.UUID) -> Sessie:
    sessie = _sessie(request, sessie_id)
    if not sel.is_voorzitter(request.user, sessie):
        _refused(request, "overlegsessie", sessie_id, "alleen de voorzitter")
        raise Http404
    return sessie


def _flash(request: HttpRequest, success: str, action: Callable[[], object]) -> None:
    """Run ``action``: its ``ValidationError`` as an error message, else ``success``."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


def _flash_form(
    request: HttpRequest,
    form: forms.Form,
    invalid: str,
    success: str,
    action: Callable[[dict[str, Any]], object],
) -> None:
    """``_flash`` of ``action(cleaned data)``; an invalid form is the error ``invalid``."""

    def run() -> None:
        if not form.is_valid():
            raise ValidationError(invalid)
        action(form.cleaned_data)

    _flash(request, success, run)


def _pick(form: forms.Form, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a valid form, as keyword arguments for a service."""
    return {name: form.cleaned_data[name] for name in names}


def _back(sessie: Sessie, anchor: str = "") -> HttpResponse:
    from django.urls import reverse

    return redirect(reverse("casussen:overleg:sessie", args=[sessie.pk]) + anchor)


@require_POST
@role_required(C, T)
def publiceren(request: HttpRequest, sessie_id: uuid.UUID) -> HttpResponse:
    sessie = _chair_sessie(request, sessie_id)
    _flash(
        request,
        _("De agenda is gepubliceerd."),
        lambda: services.sessie_publiceren(sessie=sessie, by=request.user, request=request),
    )
    return _back(sessie)


@require_POST
@role_required(C, T)
def huidig_kiezen(request: HttpRequest, sessie_id: uuid.UUID) -> HttpResponse:
    sessie = _chair_sessie(request, sessie_id)
    punt_id = _uuid_or_none(request.POST.get("punt"))
    punt = sessie.agenda.filter(sel.NIET_BEPERKT, pk=punt_id).first() if punt_id else None
    try:
        services.huidig_punt_kiezen(sessie=sessie, punt=punt, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(sessie, "#huidig")


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@require_POST
@role_required(C, T)
def aanwezigheid(request: HttpRequest, sessie_id: uuid.UUID) -> HttpResponse:
    sessie = _chair_sessie(request, sessie_id)
    context = sessie_context(request, sessie)
    form = AanwezigForm(request.POST, people=context["aanwezig_form"].fields["aanwezig"].queryset)
    if not form.is_valid():
        context["aanwezig_form"] = form
        return render(request, "casussen/overleg/sessie.html", context, status=400)
    services.aanwezigheid_vastleggen(
        sessie=sessie, aanwezig=form.cleaned_data["aanwezig"], by=request.user, request=request
    )
    messages.success(request, _("De aanwezigheid is vastgelegd."))
    return _back(sessie)


@require_POST
@role_required(C, T)
def afspraak_nieuw(request: HttpRequest, punt_id: uuid.UUID) -> HttpResponse:
    punt = _chair_punt(request, punt_id)
    form = AfspraakForm(request.POST, sessie=punt.sessie, auto_id=f"punt{punt.volgnummer}_%s")
    if form.is_valid():
        fields = ("omschrijving", "eigenaar_soort", "organisatie", "datum", "trede")
        try:
            services.afspraak_vastleggen(
                punt=punt, by=request.user, request=request, **_pick(form, fields)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
    if form.errors:
        context = sessie_context(request, punt.sessie, afspraak_form=form, afspraak_punt=punt.pk)
        return render(request, "casussen/overleg/sessie.html", context, status=400)
    messages.success(request, _("De afspraak is vastgelegd."))
    return _back(punt.sessie, f"#punt-{punt.volgnummer}")


@require_POST
@role_required(C, T)
def verslag(request: HttpRequest, punt_id: uuid.UUID) -> HttpResponse:
    punt = _chair_punt(request, punt_id)
    _flash_form(
        request,
        VerslagForm(request.POST),
        _("Schrijf het verslag."),
        _("Het verslag is bij de casus opgeslagen."),
        lambda data: services.verslag_vastleggen(
            punt=punt, tekst=data["verslag"], by=request.user, request=request
        ),
    )
    return _back(punt.sessie, f"#punt-{punt.volgnummer}")


@role_required(C)
def inbrengen(request: HttpRequest, casus_id: uuid.UUID) -> HttpResponse:
    """The aanspreekpunt brings the casus into an overleg with a casusinbreng."""
    casus = casus_get_for_user(user=request.user, casus_id=casus_id, need="change")
    if casus.aanspreekpunt_id != request.user.pk:
        _refused(request, "casus", casus.pk, "alleen het aanspreekpunt brengt in")
        raise Http404
    form = InbrengForm(request.POST or None, initial={"sessie": request.GET.get("sessie")})
    status = 200
    if request.method == "POST" and form.is_valid():
        fields = (
            "sessie", "hulpvraag", "geprobeerd", "vraag", "leefgebieden", "grondslag",
            "toestemming_datum", "toelichting", "gedeeld_met",
        )  # fmt: skip
        try:
            punt = services.casus_inbrengen(
                casus=casus, by=request.user, request=request, **_pick(form, fields)
            )
        except PermissionDenied as exc:
            # No basis for sharing, or sharing outside the overleg: 403, audited; the
            # form comes back with everything typed so nothing is lost.
            services.audit_refusal(
                by=request.user,
                object_type="casusinbreng",
                object_id=casus.pk,
                huishouden_id=casus.huishouden_id,
                reden=str(exc),
                request=request,
            )
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("De casus staat op de agenda."))
            return redirect("casussen:overleg:sessie", sessie_id=punt.sessie_id)
    if request.method == "POST" and status == 200:
        status = 400
    return render(
        request, "casussen/overleg/inbrengen.html", {"casus": casus, "form": form}, status=status
    )


@role_required(C)
def bevestigen(request: HttpRequest, afspraak_id: uuid.UUID) -> HttpResponse:
    """The aanspreekpunt confirms an afspraak: it becomes an action in the plan."""
    afspraak = (
        Afspraak.objects.select_related("agendapunt__casus", "organisatie")
        .filter(pk=afspraak_id, agendapunt__casus__aanspreekpunt_id=request.user.pk)
        .first()
    )
    if afspraak is None:
        _refused(request, "afspraak", afspraak_id, "alleen het aanspreekpunt bevestigt")
        raise Http404
    casus = casus_get_for_user(
        user=request.user, casus_id=afspraak.agendapunt.casus_id, need="change"
    )
    plan = plan_for_casus(casus=casus)
    doelen = PlanDoel.objects.filter(plan=plan) if plan else PlanDoel.objects.none()
    form = BevestigForm(request.POST or None, doelen=doelen)
    if request.method == "POST" and form.is_valid():
        try:
            services.afspraak_bevestigen(
                afspraak=afspraak,
                doel=form.cleaned_data["doel"],
                by=request.user,
                reden_zwaar=form.cleaned_data["reden_zwaar"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("De afspraak staat als actie in het plan."))
            return redirect("casussen:plan:plan", casus_id=casus.pk)
    record(
        actor=request.user,
        actie=AuditActie.READ,
        doel=Doel.OVERLEG,
        object_type="afspraak",
        object_id=afspraak.pk,
        huishouden_id=casus.huishouden_id,
        velden=["omschrijving", "eigenaar_soort", "datum", "trede"],
        request=request,
    )
    return render(
        request,
        "casussen/overleg/bevestigen.html",
        {"afspraak": afspraak, "casus": casus, "form": form, "heeft_plan": plan is not None},
        status=400 if request.method == "POST" else 200,
    )


@role_required(M)
def mijn_afspraken(request: HttpRequest) -> HttpResponse:
    """The afspraken that concern the participant's organisation (and only those)."""
    afspraken = sel.afspraken_read(user=request.user, request=request)
    return render(
        request,
        "casussen/overleg/mijn_afspraken.html",
        {"afspraken": afspraken, "status_form": StatusForm()},
    )


@require_POST
@role_required(M)
def afspraak_status(request: HttpRequest, afspraak_id: uuid.UUID) -> HttpResponse:
    find = partial(sel.afspraak_for_owner, user=request.user, afspraak_id=afspraak_id)
    afspraak = _found(request, find, "afspraak", afspraak_id, "afspraak van een andere organisatie")
    _flash_form(
        request,
        StatusForm(request.POST),
        _("Kies open, bezig, klaar of gestopt."),
        _("De status is bijgewerkt."),
        lambda data: services.afspraak_status_set(
            afspraak=afspraak, status=data["status"], by=request.user, request=request
        ),
    )
    return redirect("casussen:overleg:mijn_afspraken")


@role_required(P)
def grondslagen(request: HttpRequest) -> HttpResponse:
    """The privacy officer: every overleg's bases for sharing, to review like noodtoegang."""
    punten = list(sel.sharing_bases())
    if punten:
        record(
            actor=request.user,
            actie=AuditActie.READ,
            doel=Doel.AUDIT,
            object_type="casusinbreng",
            object_ids=[p.pk for p in punten],
            huishouden_ids=[p.casus.huishouden_id for p in punten],
            velden=["grondslag", "toestemming_datum", "toelichting", "gedeeld_met"],
            request=request,
        )
    return render(request, "casussen/overleg/grondslagen.html", {"punten": punten})
