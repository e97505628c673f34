"""Models of the casussen app, one module per topic."""

from casussen.models.bewaring import Besluit, Vernietigingsitem, Vernietigingslijst
from casussen.models.casus import (
    Afsluitreden,
    Betrokkene,
    Casus,
    CasusAfsluiting,
    CasusGroupObjectPermission,
    CasusUserObjectPermission,
    Grondslag,
    Noodtoegang,
    TimelineEntry,
)
from casussen.models.huishouden import Gezinslid, Huishouden, Relatie
from casussen.models.rechten import Rechtenverzoek, Verzoeksoort, Verzoekstap, Verzoekstatus
from casussen.overleg.models import Afspraak, Agendapunt, Overleg, Sessie
from casussen.plan import models as plan_models  # noqa: F401  (registers the plan models)

__all__ = [
    "Afsluitreden",
    "Afspraak",
    "Agendapunt",
    "Besluit",
    "Betrokkene",
    "Casus",
    "CasusAfsluiting",
    "CasusGroupObjectPermission",
    "CasusUserObjectPermission",
    "Gezinslid",
    "Grondslag",
    "Huishouden",
    "Noodtoegang",
    "Overleg",
    "Rechtenverzoek",
    "Relatie",
    "Sessie",
    "TimelineEntry",
    "Vernietigingsitem",
    "Vernietigingslijst",
    "Verzoeksoort",
    "Verzoekstap",
    "Verzoekstatus",
]
