"""Demo signals: every partner organisation has passed on several signals in each consent
mode, some about residents of existing demo households (matched or possible matches),
some already picked up with terugkoppeling. Idempotent: a melder who has signals is skipped.

All signals go through ``signaal_receive``, so they are sealed, matched, audited and
evented exactly like real ones.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from casussen.models import Casus, Gezinslid
from signalen.models import Signaal, Status
from signalen.services import (
    signaal_assign,
    signaal_receive,
    signaal_terugkoppelen,
)
from toegang import demo as toegang_demo
from toegang.crypto.sealing import VERNIETIGD
from toegang.models import Organisatie, User
from toegang.roles import Rol

_ZORGEN: list[tuple[list[str], str]] = [
    (
        ["financien"],
        "Er liggen veel ongeopende brieven; hij zegt dat hij de huur niet meer kan betalen.",
    ),
    (
        ["eenzaamheid"],
        "Mevrouw komt elke dag koffie drinken en vertelt dat ze verder niemand spreekt.",
    ),
    (["gezondheid", "eenzaamheid"], "Meneer lijkt de laatste weken erg vergeetachtig en verward."),
    (["opvoeden", "school"], "Het kind is vaak moe en heeft regelmatig geen ontbijt gehad."),
    (["wonen"], "Er is vochtoverlast in huis en de verhuurder reageert niet."),
    (["werk", "financien"], "Sinds het ontslag zit hij thuis en ziet hij geen uitweg meer."),
]
#: The melder's own label in "Mijn signalen" for some of them (the others show leefgebieden).
_ONDERWERPEN = ("ongeopende post", "", "vergeetachtig", "", "vocht in huis", "")
_CONTACT = (
    "Via de melder: bel de organisatie, de inwoner is er meestal op dinsdag- en donderdagochtend."
)


def _voorbeelden(melder: User, bekend: list[Gezinslid]) -> list[dict[str, Any]]:
    """Two signals per consent mode; the first "met toestemming" is about a known resident."""
    organisatie = melder.organisatie
    assert organisatie is not None
    signalen: list[dict[str, Any]] = []
    for nummer, (leefgebieden, tekst) in enumerate(_ZORGEN):
        modus = ("met_toestemming", "zonder_toestemming", "warme_overdracht")[nummer % 3]
        data: dict[str, Any] = {
            "toestemming": modus,
            "leefgebieden": leefgebieden,
            "omschrijving": tekst,
            "urgent": nummer == 3,
            "buurt": organisatie.buurt,
            "onderwerp": _ONDERWERPEN[nummer % len(_ONDERWERPEN)],
        }
        if modus == "met_toestemming":
            data["inwoner"] = _inwoner(
                bekend[nummer % len(bekend)] if bekend and nummer == 0 else None,
                organisatie,
                nummer,
            )
        elif modus == "warme_overdracht":
            data["inwoner"] = {"voornaam": ("Henk", "Aylin")[nummer % 2]}
            data["contactroute"] = _CONTACT
        signalen.append(data)
    return signalen


def _inwoner(lid: Gezinslid | None, organisatie: Organisatie, nummer: int) -> dict[str, Any]:
    if lid is None:
        return {
            "voornaam": ("Gerrit", "Wilma", "Sem")[nummer % 3],
            "achternaam": ("van Dijk", "Bosman", "Kramer")[nummer % 3],
            "geboortedatum": f"19{50 + nummer * 7}-0{1 + nummer % 9}-1{nummer % 9}",
        }
    if organisatie.mag_bsn_verwerken and lid.bsn not in ("", None, VERNIETIGD):
        return {"achternaam": str(lid.achternaam), "bsn": str(lid.bsn)}
    inwoner: dict[str, Any] = {"voornaam": str(lid.voornaam), "achternaam": str(lid.achternaam)}
    if lid.geboortedatum not in (None, VERNIETIGD):
        inwoner["geboortedatum"] = lid.geboortedatum.isoformat()  # type: ignore[union-attr]
    return inwoner


def _bekende_leden() -> list[Gezinslid]:
    """One member of each household with an open casus, or else of any household."""
    open_huishoudens = Casus.objects.exclude(status=Casus.Status.AFGESLOTEN).values("huishouden_id")
    leden = list(
        Gezinslid.objects.filter(huishouden_id__in=open_huishoudens).order_by("created_at")
    )
    return leden or list(Gezinslid.objects.order_by("created_at")[:4])


def _voortgang(signalen: list[Signaal], teamleider: User | None, consulent: User | None) -> None:
    """Pick up some waiting signals and give terugkoppeling, so every status shows."""
    if teamleider is None or consulent is None:
        return
    wachtend = [s for s in signalen if s.in_wachtrij and not s.mogelijke_match]
    if wachtend:
        opgepakt = signaal_assign(signaal=wachtend[0], aanspreekpunt=consulent, by=teamleider)
        signaal_terugkoppelen(
            signaal=opgepakt,
            status=Status.OPGEPAKT,
            bericht="We hebben contact gelegd. Dank voor uw signaal.",
            by=consulent,
        )
    if len(wachtend) > 1:
        signaal_terugkoppelen(
            signaal=wachtend[1],
            status=Status.DOORVERWEZEN,
            bericht="Doorverwezen naar het Financieel Café.",
            by=teamleider,
        )


@transaction.atomic
def load() -> int:
    """Create the demo signals of melders that have none yet; return how many were made."""
    from casussen import demo as casussen_demo

    casussen_demo.load()  # signals need the demo households first (it is idempotent)
    users = User.objects.filter(username__in=[u.username for u in toegang_demo.USERS])
    by_name = {u.username: u for u in users}
    teamleider = next((u for u in users if u.rol == Rol.TEAMLEIDER), None)
    consulent = by_name.get("consulent")
    bekend = _bekende_leden()
    made = 0
    nu = timezone.now()
    for demo_user in toegang_demo.USERS:
        melder = by_name.get(demo_user.username)
        if melder is None or melder.rol != Rol.MELDER:
            continue
        if Signaal.objects.filter(melder=melder).exists():
            continue
        signalen = []
        for nummer, data in enumerate(_voorbeelden(melder, bekend)):
            signaal = signaal_receive(melder=melder, data=data, bron="formulier")
            Signaal.objects.filter(pk=signaal.pk).update(
                created_at=nu - timedelta(hours=5 * nummer + made),
                status_gewijzigd_op=nu - timedelta(hours=5 * nummer + made),
            )
            signalen.append(signaal)
            made += 1
        _voortgang(signalen, teamleider, consulent)
    return made
