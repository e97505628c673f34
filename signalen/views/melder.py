"""Pages of the melder: "Nieuw signaal", its confirmation, and "Mijn signalen"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.models import Actie, Doel
from audit.services import record
from signalen import selectors
from signalen.forms import SignaalForm
from signalen.models import Bron, Signaal
from signalen.services import IdempotencyConflictError, signaal_receive
from signalen.throttles import form_post_allowed
from toegang.access import role_required
from toegang.roles import Rol


@role_required(Rol.MELDER)
@require_http_methods(["GET", "POST"])
def nieuw(request: HttpRequest) -> HttpResponse:
    organisatie = request.user.organisatie  # type: ignore[union-attr]
    if organisatie is None:
        return render(request, "403.html", status=403)
    if request.method == "POST":
        if not form_post_allowed(request):
            return render(request, "signalen/te_veel.html", status=429)
        form = SignaalForm(request.POST, organisatie=organisatie)
        if form.is_valid():
            try:
                signaal = _submit(request, form)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect("signalen:ontvangen", pk=signaal.pk)
        status = 400
    else:
        form = SignaalForm(organisatie=organisatie)
        status = 200
    form.describe_fields()
    return render(request, "signalen/nieuw.html", {"form": form}, status=status)


def _submit(request: HttpRequest, form: SignaalForm) -> Signaal:
    """Receive the form's signal. The hidden key makes a double tap or a resent page
    one signal; the same page sent again with other content is a new signal."""
    data = form.as_service_data()
    try:
        return signaal_receive(
            melder=request.user,
            data=data,
            idempotency_key=form.cleaned_data.get("idempotency_key") or None,
            bron=Bron.FORMULIER,
            request=request,
        )
    except IdempotencyConflictError:
        return signaal_receive(melder=request.user, data=data, bron=Bron.FORMULIER, request=request)


@role_required(Rol.MELDER)
def ontvangen(request: HttpRequest, pk: str) -> HttpResponse:
    signaal = selectors.signaal_get_for_melder(user=request.user, signaal_id=pk)
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.SIGNALERING,
        object_type="signaal",
        object_id=signaal.pk,
        huishouden_id=signaal.huishouden_id,
        velden=["referentie", "veiligheid"],
        request=request,
    )
    return render(request, "signalen/ontvangen.html", {"signaal": signaal})


@role_required(Rol.MELDER)
def mijn_signalen(request: HttpRequest) -> HttpResponse:
    """Her own signals first; ``?van=organisatie`` shows those of the whole organisation."""
    organisatie = request.GET.get("van") == "organisatie"
    page = selectors.newest_first_page(
        selectors.signalen_for_melder(user=request.user, alleen_eigen=not organisatie),
        cursor=request.GET.get("na"),
    )
    record(
        actor=request.user,
        actie=Actie.READ,
        doel=Doel.SIGNALERING,
        object_type="signaal",
        object_ids=[s.pk for s in page.items],
        huishouden_ids=[s.huishouden_id for s in page.items],
        velden=["status", "terugkoppeling", "onderwerp"],
        request=request,
    )
    context = {
        "page": page,
        "eerste_pagina": not request.GET.get("na"),
        "organisatie": organisatie,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "signalen/_mijn_signalen_lijst.html", context)
    return render(request, "signalen/mijn_signalen.html", context)
