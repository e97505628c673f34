"""The privacy officer's console: search, review queue, inzageverzoek.

Every page view, search and export is itself an audit record (doel ``audit``),
carrying the ids it showed. Whatever identifies a resident arrives by POST and
is passed to the registered lookup only; it is never stored or logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit import inzage
from audit.forms import InzageForm, ReviewForm, SearchForm
from audit.models import Actie, Doel, Oordeel
from audit.review import describe_users, review_create, review_queue
from audit.selectors import Filters, keyset_page, records_matching, seal_status
from audit.services import record
from audit.subjects import ResidentLookupUnavailableError, Subject, find_resident
from toegang.access import role_required
from toegang.logging import get_logger
from toegang.roles import Rol

log = get_logger(__name__)


def _record_access(
    request: HttpRequest,
    *,
    object_type: str,
    actie: str = Actie.READ,
    shown: Sequence[Any] = (),
    subject: Subject | None = None,  # type: ignore[assignment]
    velden: tuple[str, ...] = (),
) -> None:
    hh = subject.huishouden_ids if subject else ()
    record(
        actor=request.user,
        actie=actie,
        doel=Doel.AUDIT,
        object_type=object_type,
        object_ids=shown,
        huishouden_id=hh[0] if len(hh) == 1 else None,
        persoon_ids=subject.persoon_ids if subject else (),
        velden=velden,
        request=request,
    )


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _add_labels(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        row["actie_label"] = _label(Actie, row["actie"])
        row["doel_label"] = _label(Doel, row["doel"])
        row["rol_label"] = _label(Rol, row["rol"]) if row["rol"] else ""


def _filters(form: SearchForm) -> Filters:
    data = form.cleaned_data
    subject = find_resident(**form.resident_kwargs()) if form.has_resident else None
    return Filters(
        gebruiker=data.get("gebruiker") or "",
        object_id=data.get("object_id") or "",
        actie=data.get("actie") or "",
        van=data.get("van"),
        tot=data.get("tot"),
        subject=subject,
    )


@role_required(Rol.PRIVACY_OFFICER)
@require_http_methods(["GET", "POST"])
def console(request: HttpRequest) -> HttpResponse:
    # A casus id (no personal data) may come in the URL from the review queue's link.
    form = SearchForm(request.POST or None, initial={"object_id": request.GET.get("object_id", "")})
    context: dict[str, Any] = {"form": form, "status": seal_status()}
    if request.method == "POST" and form.is_valid():
        try:
            filters = _filters(form)
        except ResidentLookupUnavailableError:
            form.add_error(None, _("Zoeken op inwoner is nog niet beschikbaar."))
        else:
            page = keyset_page(records_matching(filters), cursor=form.cleaned_data.get("na"))
            _add_labels(page.rows)
            context.update(page=page, subject=filters.subject, searched=True)
            _record_access(
                request,
                object_type="auditregel",
                shown=[row["id"] for row in page.rows],
                subject=filters.subject,
            )
            return render(request, "audit/console.html", context)
    _record_access(request, object_type="audit_console")
    return render(request, "audit/console.html", context)


@role_required(Rol.PRIVACY_OFFICER)
@require_http_methods(["GET", "POST"])
def beoordelen(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("alle") == "1"
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                review_create(
                    sleutel=form.cleaned_data["sleutel"],
                    oordeel=form.cleaned_data["oordeel"],
                    opmerking=form.cleaned_data["opmerking"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Beoordeling opgeslagen."))
            return redirect("audit:beoordelen")
        messages.error(request, _("Kies een oordeel en geef een toelichting bij de beoordeling."))
        return redirect("audit:beoordelen")
    items = review_queue(include_reviewed=show_all)
    describe_users(items)
    _record_access(
        request, object_type="beoordelingslijst", shown=[i.record_id for i in items if i.record_id]
    )
    return render(
        request,
        "audit/beoordelen.html",
        {"items": items, "show_all": show_all, "oordelen": Oordeel.choices},
    )


@role_required(Rol.PRIVACY_OFFICER)
@require_http_methods(["GET", "POST"])
def inzageverzoek(request: HttpRequest) -> HttpResponse:
    """The resident's report (page, print, CSV, PDF) or the internal version (page, CSV)."""
    form = InzageForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "audit/inzage.html", {"form": form})
    try:
        subject = find_resident(**form.resident_kwargs())
    except ResidentLookupUnavailableError:
        form.add_error(None, _("Zoeken op inwoner is nog niet beschikbaar."))
        return render(request, "audit/inzage.html", {"form": form})
    formaat = request.POST.get("formaat", "html")
    if formaat in ("intern", "intern_csv"):
        return _inzage_intern(request, form, subject, csv_export=formaat == "intern_csv")  # type: ignore[return-value]
    rapport = inzage.rapport(subject)
    actie = {"afdrukken": Actie.PRINT, "csv": Actie.EXPORT, "pdf": Actie.EXPORT}.get(
        formaat, Actie.READ
    )
    _record_access(
        request,
        object_type="inzageverzoek",
        actie=actie,
        shown=rapport.ids,
        subject=subject,
        velden=(formaat,) if actie == Actie.EXPORT else (),
    )
    if formaat == "csv":
        stream = StreamingHttpResponse(
            inzage.rapport_csv(rapport), content_type="text/csv; charset=utf-8"
        )
        stream["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
        return stream  # type: ignore[return-value]
    if formaat == "pdf":
        response = HttpResponse(inzage.rapport_pdf(rapport), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{_filename("pdf")}"'
        return response
    return render(
        request,
        "audit/inzage_rapport.html",
        {
            "form": form,
            "subject": subject,
            "rapport": rapport,
            "intro": inzage._intro(rapport),
            "headers": inzage.headers_voor_inwoner(),
            "afdrukken": formaat == "afdrukken",
        },
    )


def _inzage_intern(
    request: HttpRequest, form: InzageForm, subject: Subject, *, csv_export: bool
) -> HttpResponseBase:
    """The detailed version for the privacy officer: usernames, internal labels, every record."""
    limit = None if csv_export else inzage.PAGE_LIMIT
    rows = list(inzage.regels(subject, limit=limit, intern=True))
    _record_access(
        request,
        object_type="inzageverzoek",
        actie=Actie.EXPORT if csv_export else Actie.READ,
        shown=[r.id for r in rows],
        subject=subject,
        velden=("intern", "csv") if csv_export else ("intern",),
    )
    if csv_export:
        response = StreamingHttpResponse(
            inzage.as_csv(iter(rows)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{_filename("intern.csv")}"'
        return response
    return render(
        request,
        "audit/inzage_intern.html",
        {
            "form": form,
            "subject": subject,
            "rows": rows,
            "headers": inzage.headers(),
            "limit": inzage.PAGE_LIMIT,
            "gemaakt": timezone.localtime(),
        },
    )


def _filename(ext: str) -> str:
    return f"inzageverzoek-{timezone.localdate():%Y%m%d}.{ext}"
