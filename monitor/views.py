"""The beleidsmonitor for the beleidsadviseur: page, CSV and PDF of one quarter.

Reads the projection only (``monitor.figures``), never a personal-data table; the
filters pick rows of the published tables, they never compute new counts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casussen import leefgebieden as lg
from monitor import charts
from monitor.figures import Cijfers, Kwartaal, Rij, Tabel, kwartaal_cijfers
from monitor.models import Buurt, Wijk
from monitor.projection import DIMENSIES
from toegang.access import role_required
from toegang.roles import Rol

BUURT_TABELLEN = ("signalen", "nieuw", "gesloten", "open")
TREND_KWARTALEN = 4


@dataclass(frozen=True)
class Filter:
    kwartaal: Kwartaal
    gebied: str  # "" or a wijk or buurt code
    leefgebied: str  # "" or a leefgebied code
    fouten: tuple[str, ...] = ()


def huidig_kwartaal() -> Kwartaal:
    return Kwartaal.van(timezone.localdate())


def kwartalen(n: int = 8) -> list[Kwartaal]:
    q = huidig_kwartaal()
    result = [q]
    for _i in range(n - 1):
        q = q.vorige()
        result.append(q)
    return result


def filter_uit(request: HttpRequest) -> Filter:
    """The filter of the query string; an unknown value falls back, with a Dutch message
    per value (the page answers 400 then, the CSV and PDF are not made)."""
    fouten = []
    q = huidig_kwartaal()
    if request.GET.get("kwartaal"):
        try:
            q = Kwartaal.parse(request.GET["kwartaal"])
        except ValueError:
            fouten.append(
                _(
                    "Dit kwartaal bestaat niet. Kies een kwartaal zoals %(voorbeeld)s "
                    "(jaar, K en 1 tot 4). U ziet nu het huidige kwartaal, %(q)s."
                )
                % {"voorbeeld": q.vorige(), "q": q}
            )
    gebied = request.GET.get("gebied", "")
    if gebied and not (
        Wijk.objects.filter(code=gebied).exists() or Buurt.objects.filter(code=gebied).exists()
    ):
        gebied = ""
        fouten.append(_("Onbekende wijk of buurt; alle buurten worden getoond."))
    leefgebied = request.GET.get("leefgebied", "")
    if leefgebied and leefgebied not in lg.LEEFGEBIEDEN:
        leefgebied = ""
        fouten.append(_("Onbekend leefgebied; alle leefgebieden worden getoond."))
    return Filter(q, gebied, leefgebied, tuple(fouten))


def _pagina(request: HttpRequest, f: Filter) -> HttpResponse:
    return render(request, "monitor/index.html", pagina_context(f), status=400 if f.fouten else 200)


def gefilterd(tabel: Tabel, f: Filter) -> Tabel:
    """Only the rows of the chosen wijk (with its buurten) or buurt, or leefgebied."""
    if tabel.naam in BUURT_TABELLEN and f.gebied:
        rijen = [r for r in tabel.rijen if f.gebied in (r.code, r.wijk)]
        return Tabel(tabel.naam, tabel.titel, rijen)
    if tabel.naam == "leefgebied" and f.leefgebied:
        return Tabel(tabel.naam, tabel.titel, [r for r in tabel.rijen if r.code == f.leefgebied])
    return tabel


def _trend(q: Kwartaal) -> list[Cijfers]:
    reeks = [q]
    for _i in range(TREND_KWARTALEN - 1):
        reeks.insert(0, reeks[0].vorige())
    return [kwartaal_cijfers(k) for k in reeks]


def _totaal(tabel: Tabel) -> int | None:
    return next((r.waarde for r in tabel.rijen if r.niveau == "totaal"), None)


def pagina_context(f: Filter) -> dict[str, Any]:
    trend = _trend(f.kwartaal)
    cijfers = trend[-1]
    k = cijfers.drempel
    tabellen = {naam: gefilterd(t, f) for naam, t in cijfers.tabellen.items()}
    grafieken = []
    for naam in (
        "signalen",
        "nieuw",
        "open",
        "soort",
        "toestemming",
        "trede",
        "plannen",
        "afsluitreden",
    ):
        t = tabellen[naam]
        grafieken.append(
            {
                "tabel": t,
                "svg": charts.staaf_svg(
                    id_prefix=f"g-{naam}", titel=t.titel, rijen=t.rijen, drempel=k
                ),
            }
        )
    trend_punten = [(str(c.kwartaal), _totaal(c.tabellen["signalen"])) for c in trend]
    nieuw_punten = [(str(c.kwartaal), _totaal(c.tabellen["nieuw"])) for c in trend]
    codes = [f.leefgebied] if f.leefgebied else list(lg.LEEFGEBIEDEN)
    multiples = [
        {
            "label": lg.label(code),
            "svg": charts.trend_svg(
                id_prefix=f"lg-{code}",
                titel=_("Signalen over %(l)s per kwartaal") % {"l": lg.label(code)},
                punten=[(str(c.kwartaal), _leefgebied(c, code)) for c in trend],
                drempel=k,
                klein=True,
            ),
        }
        for code in codes
    ]
    veranderingen = [(charts_dim_label(d), cijfers.gezondheid[d]) for d in DIMENSIES]
    return {
        "filter": f,
        "cijfers": cijfers,
        "tabellen": tabellen,
        "grafieken": grafieken,
        "trend_svg": charts.trend_svg(
            id_prefix="trend", titel=_("Signalen per kwartaal"), punten=trend_punten, drempel=k
        ),
        "nieuw_svg": charts.trend_svg(
            id_prefix="trend-nieuw",
            titel=_("Nieuwe casussen per kwartaal"),
            punten=nieuw_punten,
            drempel=k,
        ),
        "trend_punten": list(zip(trend_punten, nieuw_punten, strict=True)),
        "multiples": multiples,
        "veranderingen": veranderingen,
        "verandering_svg": charts.verandering_svg(
            id_prefix="pg",
            titel=_("Positieve Gezondheid: gemiddelde verandering per dimensie"),
            rijen=veranderingen,
            drempel=k,
        ),
        "gezondheid_tabellen": [tabellen[f"gezondheid:{d}"] for d in DIMENSIES],
        "kwartalen": kwartalen(),
        "wijken": Wijk.objects.prefetch_related("buurten"),
        "leefgebieden": lg.choices(),
    }


def _leefgebied(c: Cijfers, code: str) -> int | None:
    """Signals with leefgebied ``code`` (a missing row is 0, a suppressed one None)."""
    rijen = [r for r in c.tabellen["leefgebied"].rijen if r.code == code]
    return rijen[0].waarde if rijen else 0


def charts_dim_label(dim: str) -> str:
    from casussen.plan.constants import Dimensie

    return str(dict(Dimensie.choices)[dim])


@role_required(Rol.BELEIDSADVISEUR)
def oud_adres(request: HttpRequest) -> HttpResponse:
    """``/casussen/monitor/``, where the monitor lived once: to its page, query kept."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(reverse("monitor:index") + (f"?{query}" if query else ""))


@role_required(Rol.BELEIDSADVISEUR)
def index(request: HttpRequest) -> HttpResponse:
    return _pagina(request, filter_uit(request))


def csv_regels(cijfers: Cijfers) -> list[list[str]]:
    """Every published figure of the quarter: table, row, value ("<k" when suppressed)."""
    k = cijfers.drempel
    regels = [["kwartaal", "tabel", "code", "omschrijving", "waarde"]]
    for tabel in cijfers.tabellen.values():
        for rij in tabel.rijen:
            tekst = f"<{k}" if rij.waarde is None else str(rij.waarde)
            regels.append([str(cijfers.kwartaal), tabel.naam, rij.code, rij.label, tekst])
    for naam, waarde in (
        ("mediaan_dagen_signaal_aanspreekpunt", cijfers.mediaan_aanspreekpunt),
        ("mediaan_dagen_signaal_eerste_gesprek", cijfers.mediaan_gesprek),
        *((f"gezondheid_gemiddelde_verandering_{d}", cijfers.gezondheid[d]) for d in DIMENSIES),
    ):
        regels.append(
            [str(cijfers.kwartaal), "kengetal", naam, naam, "" if waarde is None else str(waarde)]
        )
    return regels


@role_required(Rol.BELEIDSADVISEUR)
def kwartaal_csv(request: HttpRequest) -> HttpResponse:
    f = filter_uit(request)
    if f.fouten:
        return _pagina(request, f)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(csv_regels(kwartaal_cijfers(f.kwartaal)))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kwartaalrapportage-{f.kwartaal}.csv"'
    return response


@role_required(Rol.BELEIDSADVISEUR)
def kwartaal_pdf(request: HttpRequest) -> HttpResponse:
    from monitor.pdf import kwartaal_pdf as maak

    f = filter_uit(request)
    if f.fouten:
        return _pagina(request, f)
    response = HttpResponse(maak(kwartaal_cijfers(f.kwartaal)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kwartaalrapportage-{f.kwartaal}.pdf"'
    return response


__all__ = ["Rij", "index", "kwartaal_csv", "kwartaal_pdf", "oud_adres"]
