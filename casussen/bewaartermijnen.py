"""The bewaartermijnen (retention classes): one table, changed by a release.

Each class says how long data is kept after which moment, and on what source the
term rests. The defaults below are a starting point that the gemeente's archivaris
must check against the gemeente's own selectielijst before destruction starts
(``TE_CONTROLEREN``); change them here, in a release, never in the database.
The destruction list (``casussen.services.retention``) reads only this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casussen.models.casus import Grondslag

#: Raise when a term changes, so a list shows which table it was computed with.
VERSIE = 1
TE_CONTROLEREN = _("te controleren door de archivaris")


class Vanaf:
    AFSLUITING = "afsluiting"
    LAATSTE_WIJZIGING = "laatste_wijziging"


VANAF_LABELS = {
    Vanaf.AFSLUITING: _("na afsluiting"),
    Vanaf.LAATSTE_WIJZIGING: _("na de laatste wijziging"),
}


@dataclass(frozen=True)
class Bewaarklasse:
    code: str
    naam: str | Promise
    jaren: int
    vanaf: str
    bron: str | Promise

    @property
    def termijn(self) -> str:
        return f"{self.jaren} jaar {VANAF_LABELS[self.vanaf]}"

    def verloopt(self, *, afgesloten: datetime | None, gewijzigd: datetime) -> date:
        """The day the term has passed."""
        start = gewijzigd if self.vanaf == Vanaf.LAATSTE_WIJZIGING else afgesloten or gewijzigd
        if self.vanaf == Vanaf.LAATSTE_WIJZIGING and afgesloten is not None:
            start = max(start, afgesloten)
        day = start.date()
        try:
            return day.replace(year=day.year + self.jaren)
        except ValueError:  # 29 February
            return day.replace(year=day.year + self.jaren, day=28)


SIGNAAL = "signaal_zonder_casus"
AUDIT = "audit"

OPSLAGBEPERKING = _("AVG art. 5 lid 1 onder e (opslagbeperking); gemeentelijk beleid")

#: Casussen by the law under which support was given: (grondslag, years, from when, source).
_PER_GRONDSLAG: tuple[tuple[Grondslag, int, str, Promise], ...] = (
    (
        Grondslag.JEUGDWET, 20, Vanaf.LAATSTE_WIJZIGING,
        _("Jeugdwet art. 7.3.8 (20 jaar na de laatste wijziging van het dossier)"),
    ),
    (
        Grondslag.WMO, 7, Vanaf.AFSLUITING,
        _("VNG Selectielijst gemeenten en intergemeentelijke organen 2020, Wmo-dossiers"),
    ),
    (
        Grondslag.PARTICIPATIEWET, 7, Vanaf.AFSLUITING,
        _("VNG Selectielijst gemeenten en intergemeentelijke organen 2020, Participatiewet"),
    ),
    (
        Grondslag.WGS, 5, Vanaf.AFSLUITING,
        _("VNG Selectielijst gemeenten 2020, schuldhulpverlening; Wgs art. 8a"),
    ),
    (Grondslag.GEEN, 2, Vanaf.AFSLUITING, OPSLAGBEPERKING),
)  # fmt: skip
PER_GRONDSLAG: dict[str, Bewaarklasse] = {
    grondslag: Bewaarklasse(
        code=grondslag, naam=grondslag.label, jaren=jaren, vanaf=vanaf, bron=bron
    )
    for grondslag, jaren, vanaf, bron in _PER_GRONDSLAG
}

#: A casus closed before grondslagen were recorded: the longest term, until one is set.
ONBEKEND = PER_GRONDSLAG[Grondslag.JEUGDWET]

#: Signals that never became a casus (anonymous, rejected, afgehandeld zonder casus),
#: and households with nothing else, from their last status change.
SIGNAAL_ZONDER_CASUS = Bewaarklasse(
    code=SIGNAAL,
    naam=_("Signaal zonder casus"),
    jaren=1,
    vanaf=Vanaf.LAATSTE_WIJZIGING,
    bron=OPSLAGBEPERKING,
)

#: Audit records: at least as long as the data they concern, never shorter than 5 years.
#: The audit trail is append-only and is not on the destruction list; shown for the archivist.
AUDITREGELS = Bewaarklasse(
    code=AUDIT,
    naam=_("Auditregels (logging van inzage en wijziging)"),
    jaren=5,
    vanaf=Vanaf.LAATSTE_WIJZIGING,
    bron=_(
        "NEN 7513: minstens zo lang als de gegevens waarop ze betrekking hebben, "
        "en nooit korter dan 5 jaar"
    ),
)


def voor_grondslag(grondslag: str) -> Bewaarklasse:
    return PER_GRONDSLAG.get(grondslag, ONBEKEND)


def tabel() -> list[Bewaarklasse]:
    """Every class, for the page that shows them."""
    return [*PER_GRONDSLAG.values(), SIGNAAL_ZONDER_CASUS, AUDITREGELS]
