"""The register of processing (AVG art. 30): every field with personal data, in one place.

Each entry maps one model field to its category, purpose, legal basis (grondslag)
and bewaarklasse. ``manage.py verwerkingsregister`` prints it as Markdown or CSV;
``tests/toegang/test_verwerkingsregister.py`` walks every model of the platform
and fails when a field with personal data (``is_persoonsgegeven``) is missing here,
or when an entry names a field that no longer exists. A new field therefore lands
together with its line in this register.

The bewaarklassen of resident data are those of ``casussen.bewaartermijnen``
(by the grondslag of the casus); the register adds the classes for staff
accounts. The texts are a starting point for the gemeente's FG/privacy officer.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from toegang.crypto.fields import BlindIndexField, SealedField


class Categorie:
    IDENTIFICEREND = _("Identificerende gegevens (naam, geboortedatum)")
    BSN = _("Burgerservicenummer")
    ADRES = _("Adres- en contactgegevens")
    PSEUDONIEM = _("Pseudoniem (blinde index, id)")
    GEZONDHEID = _("Bijzonder: gezondheid en welbevinden (art. 9 AVG)")
    VRIJE_TEKST = _("Vrije tekst over de situatie van het huishouden")
    ZAAK = _("Gegevens over de ondersteuning (status, leefgebieden, data)")
    BETROKKEN_PROFESSIONAL = _("Betrokken medewerker (wie deed wat)")
    MEDEWERKER = _("Gegevens van medewerkers (account)")
    TECHNISCH = _("Technische gegevens (IP-adres, browser)")


class Doel:
    ONDERSTEUNING = _("Integrale ondersteuning van het huishouden (casusbehandeling)")
    SIGNALERING = _("Ontvangen en beoordelen van signalen (vroegsignalering)")
    PLAN = _("Opstellen en volgen van het gezinsplan")
    TOEGANG = _("Toegang tot het dossier beperken tot wie het nodig heeft")
    VERANTWOORDING = _("Verantwoording: logging van inzage en wijziging (NEN 7513)")
    ACCOUNT = _("Accountbeheer en authenticatie van medewerkers")
    RECHTEN = _("Afhandelen van verzoeken van inwoners (AVG art. 15-21)")
    VERNIETIGING = _("Vernietigen na de bewaartermijn (Archiefwet)")
    OVERLEG = _("Bespreken in het sociaal vangnet overleg (multidisciplinair)")
    BELEID = _("Beleidsinformatie: geaggregeerde cijfers, kleine aantallen onderdrukt")


class Grondslag:
    SECTORWET = _(
        "AVG art. 6 lid 1 onder e, met de grondslag van de casus "
        "(Wmo 2015, Jeugdwet, Participatiewet, Wgs)"
    )
    BSN = _("Wet algemene bepalingen burgerservicenummer art. 10, met de grondslag van de casus")
    GEZONDHEID = _("AVG art. 9 lid 2 onder g en h, UAVG art. 30, met de grondslag van de casus")
    WETTELIJKE_PLICHT = _("AVG art. 6 lid 1 onder c en art. 32 (beveiliging); NEN 7510/7513")
    DIENSTVERBAND = _("AVG art. 6 lid 1 onder b en c (arbeids- of opdrachtrelatie)")
    OVERLEG = _(
        "AVG art. 6 lid 1 onder a of e: toestemming of wettelijke grondslag, "
        "per agendapunt vastgelegd"
    )
    STATISTIEK = _(
        "AVG art. 6 lid 1 onder e en art. 89 (statistiek, gepseudonimiseerd: alleen id's en codes)"
    )
    ARCHIEFWET = _("AVG art. 6 lid 1 onder c; Archiefwet 1995 art. 3 en 5")


class Bewaarklasse:
    """Codes; the resident classes are explained in ``casussen.bewaartermijnen``."""

    CASUS = "grondslag_casus"
    SIGNAAL = "signaal_zonder_casus"
    AUDIT = "audit"
    ACCOUNT = "account"


BEWAARKLASSEN: dict[str, str | Promise] = {
    Bewaarklasse.CASUS: _(
        "Volgt de grondslag van de casus (bewaartermijnen: Jeugdwet 20 jaar, Wmo en "
        "Participatiewet 7 jaar, Wgs 5 jaar, geen wettelijke taak 2 jaar)"
    ),
    Bewaarklasse.SIGNAAL: _("Signaal zonder casus: 1 jaar na de laatste wijziging"),
    Bewaarklasse.AUDIT: _(
        "Auditregels: minstens zo lang als de gegevens waarop ze betrekking hebben, "
        "nooit korter dan 5 jaar (NEN 7513)"
    ),
    Bewaarklasse.ACCOUNT: _(
        "Zolang het account bestaat; een beëindigd account wordt gedeactiveerd, niet "
        "verwijderd zolang auditregels ernaar verwijzen (termijn vast te stellen door de gemeente)"
    ),
}


@dataclass(frozen=True)
class Verwerking:
    categorie: str | Promise
    doel: str | Promise
    grondslag: str | Promise
    bewaarklasse: str


def _v(categorie: Promise, doel: Promise, grondslag: Promise, klasse: str) -> Verwerking:
    return Verwerking(categorie, doel, grondslag, klasse)


# The usual combinations.
C = Categorie
NAAM = _v(C.IDENTIFICEREND, Doel.ONDERSTEUNING, Grondslag.SECTORWET, Bewaarklasse.CASUS)
BSN = _v(C.BSN, Doel.ONDERSTEUNING, Grondslag.BSN, Bewaarklasse.CASUS)
ADRES = _v(C.ADRES, Doel.ONDERSTEUNING, Grondslag.SECTORWET, Bewaarklasse.CASUS)
INDEX = _v(C.PSEUDONIEM, Doel.ONDERSTEUNING, Grondslag.SECTORWET, Bewaarklasse.CASUS)
ZAAK = _v(C.ZAAK, Doel.ONDERSTEUNING, Grondslag.SECTORWET, Bewaarklasse.CASUS)
TEKST = _v(C.VRIJE_TEKST, Doel.ONDERSTEUNING, Grondslag.GEZONDHEID, Bewaarklasse.CASUS)
WIE = _v(C.BETROKKEN_PROFESSIONAL, Doel.ONDERSTEUNING, Grondslag.SECTORWET, Bewaarklasse.CASUS)
TOEGANG = _v(C.BETROKKEN_PROFESSIONAL, Doel.TOEGANG, Grondslag.SECTORWET, Bewaarklasse.CASUS)
TOEGANG_TEKST = _v(C.VRIJE_TEKST, Doel.TOEGANG, Grondslag.SECTORWET, Bewaarklasse.CASUS)
PLAN = _v(C.ZAAK, Doel.PLAN, Grondslag.SECTORWET, Bewaarklasse.CASUS)
PLAN_TEKST = _v(C.VRIJE_TEKST, Doel.PLAN, Grondslag.GEZONDHEID, Bewaarklasse.CASUS)
PLAN_WIE = _v(C.BETROKKEN_PROFESSIONAL, Doel.PLAN, Grondslag.SECTORWET, Bewaarklasse.CASUS)
GEZONDHEID = _v(C.GEZONDHEID, Doel.PLAN, Grondslag.GEZONDHEID, Bewaarklasse.CASUS)
SIGNAAL = _v(C.ZAAK, Doel.SIGNALERING, Grondslag.SECTORWET, Bewaarklasse.SIGNAAL)
SIGNAAL_TEKST = _v(C.VRIJE_TEKST, Doel.SIGNALERING, Grondslag.GEZONDHEID, Bewaarklasse.SIGNAAL)
SIGNAAL_WIE = _v(
    C.BETROKKEN_PROFESSIONAL, Doel.SIGNALERING, Grondslag.SECTORWET, Bewaarklasse.SIGNAAL
)
AUDIT_ID = _v(C.PSEUDONIEM, Doel.VERANTWOORDING, Grondslag.WETTELIJKE_PLICHT, Bewaarklasse.AUDIT)
AUDIT_WIE = _v(C.MEDEWERKER, Doel.VERANTWOORDING, Grondslag.WETTELIJKE_PLICHT, Bewaarklasse.AUDIT)
AUDIT_TEKST = _v(
    C.VRIJE_TEKST, Doel.VERANTWOORDING, Grondslag.WETTELIJKE_PLICHT, Bewaarklasse.AUDIT
)
AUDIT_TECHNISCH = _v(
    C.TECHNISCH, Doel.VERANTWOORDING, Grondslag.WETTELIJKE_PLICHT, Bewaarklasse.AUDIT
)
ACCOUNT = _v(C.MEDEWERKER, Doel.ACCOUNT, Grondslag.DIENSTVERBAND, Bewaarklasse.ACCOUNT)
VERNIETIGING_ID = _v(C.PSEUDONIEM, Doel.VERNIETIGING, Grondslag.ARCHIEFWET, Bewaarklasse.AUDIT)
VERNIETIGING_WIE = _v(C.MEDEWERKER, Doel.VERNIETIGING, Grondslag.ARCHIEFWET, Bewaarklasse.AUDIT)
VERNIETIGING_TEKST = _v(C.VRIJE_TEKST, Doel.VERNIETIGING, Grondslag.ARCHIEFWET, Bewaarklasse.AUDIT)
OVERLEG = _v(C.ZAAK, Doel.OVERLEG, Grondslag.OVERLEG, Bewaarklasse.CASUS)
OVERLEG_TEKST = _v(C.VRIJE_TEKST, Doel.OVERLEG, Grondslag.OVERLEG, Bewaarklasse.CASUS)
OVERLEG_WIE = _v(C.BETROKKEN_PROFESSIONAL, Doel.OVERLEG, Grondslag.OVERLEG, Bewaarklasse.CASUS)
VOORZITTER = _v(C.MEDEWERKER, Doel.OVERLEG, Grondslag.DIENSTVERBAND, Bewaarklasse.ACCOUNT)
BELEID = _v(C.PSEUDONIEM, Doel.BELEID, Grondslag.STATISTIEK, Bewaarklasse.CASUS)
BELEID_GEZONDHEID = _v(C.GEZONDHEID, Doel.BELEID, Grondslag.STATISTIEK, Bewaarklasse.CASUS)
# A request outlives the household (accountability); its sealed steps go with it.
RECHTEN = _v(C.ZAAK, Doel.RECHTEN, Grondslag.WETTELIJKE_PLICHT, Bewaarklasse.AUDIT)
RECHTEN_WIE = _v(C.MEDEWERKER, Doel.RECHTEN, Grondslag.WETTELIJKE_PLICHT, Bewaarklasse.AUDIT)
RECHTEN_STAP = _v(C.ZAAK, Doel.RECHTEN, Grondslag.WETTELIJKE_PLICHT, Bewaarklasse.CASUS)
RECHTEN_TEKST = _v(C.VRIJE_TEKST, Doel.RECHTEN, Grondslag.WETTELIJKE_PLICHT, Bewaarklasse.CASUS)


def _map(*groups: tuple[Verwerking, tuple[str, ...]]) -> dict[str, Verwerking]:
    mapped: dict[str, Verwerking] = {}
    for verwerking, names in groups:
        for name in names:
            mapped[name] = verwerking
    return mapped


#: model label -> field name -> Verwerking. Keep it in the order of the apps.
REGISTER: dict[str, dict[str, Verwerking]] = {
    "toegang.User": _map(
        (
            ACCOUNT,
            (
                "password",
                "last_login",
                "username",
                "first_name",
                "last_name",
                "email",
                "telefoon",
                "date_joined",
                "organisatie",
                "team",
                "rol",
                "oidc_subject",
                "is_active",
                "is_staff",
            ),
        ),
    ),
    "toegang.ApiToken": _map((ACCOUNT, ("user", "naam", "last_used_at"))),
    "toegang.PasskeyDevice": _map((ACCOUNT, ("user", "name", "credential_id"))),
    "audit.AuditRecord": _map(
        (
            AUDIT_WIE,
            (
                "user_id",
                "username",
                "rol",
                "organisatie_id",
                "organisatie_naam",
                "trigger_user_id",
                "trigger_username",
            ),
        ),
        (AUDIT_ID, ("huishouden_id", "persoon_ids", "huishouden_ids", "object_id", "object_ids")),
        (AUDIT_TEKST, ("reden",)),
        (AUDIT_TECHNISCH, ("ip_adres", "user_agent")),
    ),
    "audit.AuditAlert": _map(
        (AUDIT_WIE, ("user_id", "username")),
        (AUDIT_ID, ("huishouden_id", "sleutel")),
    ),
    "audit.AuditReview": _map(
        (AUDIT_WIE, ("reviewed_by_id", "reviewed_by_username")),
        (AUDIT_TEKST, ("opmerking",)),
    ),
    "signalen.Signaal": _map(
        (SIGNAAL_WIE, ("organisatie", "melder", "team")),
        (
            SIGNAAL,
            (
                "huishouden",
                "casus",
                "referentie",
                "bron",
                "toestemming",
                "leefgebieden",
                "urgent",
                "veiligheid",
                "buurt",
                "status",
                "status_gewijzigd_op",
                "mogelijke_match",
                "version",
                "created_at",
            ),
        ),
        (
            SIGNAAL_TEKST,
            ("omschrijving", "contactroute", "onderwerp", "inwoner", "terugkoppeling"),
        ),
    ),
    "signalen.IdempotencyKey": _map(
        (SIGNAAL, ("signaal", "sleutel", "request_digest", "created_at")),
        (SIGNAAL_WIE, ("client",)),
    ),
    "signalen.PartnerClient": _map((ACCOUNT, ("user",))),
    "casussen.Vernietigingslijst": _map((VERNIETIGING_WIE, ("opgesteld_door",))),
    "casussen.Vernietigingsitem": _map(
        (
            VERNIETIGING_ID,
            (
                "huishouden_id",
                "casus_ids",
                "signaal_ids",
                "afgesloten_op",
                "grondslag",
                "termijn",
                "verlopen_op",
            ),
        ),
        (VERNIETIGING_WIE, ("afsluiter_ids", "besluit_door")),
        (VERNIETIGING_TEKST, ("toelichting",)),
    ),
    "casussen.Casus": _map(
        (
            ZAAK,
            (
                "huishouden",
                "team",
                "status",
                "urgent",
                "leefgebieden",
                "version",
                "opened_at",
                "closed_at",
                "last_activity_at",
                "afsluitreden",
                "grondslag",
            ),
        ),
        (WIE, ("aanspreekpunt", "closed_by")),
        (RECHTEN_STAP, ("beperkt",)),
    ),
    "casussen.Rechtenverzoek": _map(
        (
            RECHTEN,
            (
                "soort",
                "huishouden",
                "gezinslid_id",
                "veld",
                "status",
                "ontvangen_op",
                "termijn",
                "verlengd",
                "besloten_op",
                "created_at",
            ),
        ),
        (RECHTEN_WIE, ("ingediend_door", "besloten_door")),
    ),
    "casussen.Verzoekstap": _map(
        (RECHTEN_STAP, ("verzoek", "soort", "op")),
        (RECHTEN_TEKST, ("tekst", "oude_waarde", "nieuwe_waarde")),
        (RECHTEN_WIE, ("door",)),
    ),
    "casussen.CasusUserObjectPermission": _map((TOEGANG, ("user", "permission", "content_object"))),
    "casussen.CasusGroupObjectPermission": _map(
        (TOEGANG, ("group", "permission", "content_object"))
    ),
    "casussen.Betrokkene": _map(
        (
            TOEGANG,
            (
                "casus",
                "user",
                "eind_datum",
                "schrijfrecht",
                "created_at",
                "created_by",
                "revoked_at",
                "einde",
            ),
        ),
        (TOEGANG_TEKST, ("reden",)),
    ),
    "casussen.Noodtoegang": _map(
        (TOEGANG, ("casus", "user", "started_at", "expires_at", "ended_at")),
        (TOEGANG_TEKST, ("reden",)),
    ),
    "casussen.CasusAfsluiting": _map(
        (ZAAK, ("casus", "soort", "afsluitreden", "grondslag", "op")),
        (WIE, ("door",)),
    ),
    "casussen.TimelineEntry": _map(
        (ZAAK, ("casus", "soort", "created_at")),
        (TEKST, ("tekst",)),
        (WIE, ("actor",)),
    ),
    "casussen.Huishouden": _map(
        (ZAAK, ("data_key", "created_at", "shredded_at", "buurt_code", "buurt_bron"))
    ),
    "casussen.Gezinslid": _map(
        (ZAAK, ("huishouden", "relatie", "created_at")),
        (NAAM, ("voornaam", "achternaam", "geboortedatum")),
        (BSN, ("bsn",)),
        (ADRES, ("straat", "huisnummer", "postcode", "woonplaats", "telefoon")),
        (INDEX, ("bsn_index", "naam_geboortedatum_index", "postcode_huisnummer_index")),
    ),
    "casussen.Meting": _map(
        (PLAN, ("huishouden", "casus", "gezinslid", "soort", "datum", "created_at")),
        (
            GEZONDHEID,
            (
                "lichaamsfuncties",
                "mentaal_welbevinden",
                "zingeving",
                "kwaliteit_van_leven",
                "meedoen",
                "dagelijks_functioneren",
                "toelichting_lichaamsfuncties",
                "toelichting_mentaal_welbevinden",
                "toelichting_zingeving",
                "toelichting_kwaliteit_van_leven",
                "toelichting_meedoen",
                "toelichting_dagelijks_functioneren",
            ),
        ),
        (PLAN_WIE, ("afgenomen_door",)),
    ),
    "casussen.UitvraagNotitie": _map((PLAN, ("meting", "leefgebied")), (PLAN_TEKST, ("notitie",))),
    "casussen.Plan": _map(
        (
            PLAN,
            ("huishouden", "startdatum", "versie", "status", "revisie", "created_at", "updated_at"),
        ),
        (PLAN_WIE, ("aangemaakt_door",)),
    ),
    "casussen.PlanVersie": _map(
        (PLAN, ("plan", "nummer", "vastgesteld_op", "created_at")),
        (PLAN_TEKST, ("aanwezig", "inhoud")),
        (PLAN_WIE, ("vastgesteld_door",)),
    ),
    "casussen.Doel": _map(
        (
            PLAN,
            (
                "plan",
                "dimensies",
                "leefgebieden",
                "volgorde",
                "uitkomst",
                "beoordeeld_op",
                "created_at",
                "updated_at",
            ),
        ),
        (PLAN_TEKST, ("tekst",)),
    ),
    "casussen.Actie": _map(
        (
            PLAN,
            ("doel", "eigenaar_soort", "deadline", "status", "trede", "created_at", "updated_at"),
        ),
        (PLAN_TEKST, ("omschrijving", "eigenaar_omschrijving", "reden_zwaar")),
        (PLAN_WIE, ("eigenaar", "bijgewerkt_door", "eigenaar_organisatie")),
    ),
    "monitor.SignaalFeit": _map((BELEID, ("casus_id", "huishouden_id"))),
    "monitor.CasusFeit": _map((BELEID, ("afsluitreden", "eerste_signaal_op"))),
    "monitor.ActieFeit": _map((BELEID, ("casus_id",))),
    "monitor.MetingFeit": _map(
        (BELEID, ("casus_id", "datum")),
        (
            BELEID_GEZONDHEID,
            (
                "lichaamsfuncties",
                "mentaal_welbevinden",
                "zingeving",
                "kwaliteit_van_leven",
                "meedoen",
                "dagelijks_functioneren",
            ),
        ),
    ),
    "casussen.Overleg": _map((VOORZITTER, ("voorzitter",))),
    "casussen.Sessie": _map(
        (
            OVERLEG,
            ("overleg", "begint_op", "eindigt_op", "gepubliceerd_op", "huidig_punt", "versie"),
        ),
    ),
    "casussen.Agendapunt": _map(
        (
            OVERLEG,
            (
                "sessie",
                "casus",
                "volgnummer",
                "grondslag",
                "toestemming_datum",
                "besproken_op",
                "created_at",
            ),
        ),
        (
            OVERLEG_TEKST,
            ("hulpvraag", "geprobeerd", "vraag", "leefgebieden", "toelichting", "verslag"),
        ),
        (OVERLEG_WIE, ("ingebracht_door",)),
    ),
    "casussen.Afspraak": _map(
        (
            OVERLEG,
            (
                "agendapunt",
                "eigenaar_soort",
                "organisatie",
                "datum",
                "trede",
                "created_at",
                "actie",
            ),
        ),
        (OVERLEG_TEKST, ("omschrijving",)),
        (OVERLEG_WIE, ("vastgelegd_door",)),
    ),
}

#: Fields the walk below flags by their name or type that hold no personal data, and why.
GEEN_PERSOONSGEGEVENS: dict[str, str | Promise] = {
    "toegang.Organisatie.naam": _("naam van een organisatie, geen persoon"),
    "toegang.Organisatie.mag_bsn_verwerken": _("instelling van een organisatie"),
    "toegang.Team.naam": _("naam van een team, geen persoon"),
    "casussen.Overleg.naam": _("naam van een overleg, geen persoon"),
    "monitor.Wijk.naam": _("naam van een wijk (CBS), geen persoon"),
    "monitor.Buurt.naam": _("naam van een buurt (CBS), geen persoon"),
    "monitor.PostcodeGebied.postcode": _("referentietabel postcode -> buurt, geen persoon"),
    "monitor.PostcodeGebied.huisnummer_van": _("referentietabel postcode -> buurt, geen persoon"),
    "monitor.PostcodeGebied.huisnummer_tot": _("referentietabel postcode -> buurt, geen persoon"),
    "toegang.User.is_superuser": _("vlag van een account, zegt niets over de persoon"),
    "signalen.PartnerClient.omschrijving": _("omschrijving van een koppeling van een organisatie"),
    "events.OutboxEvent.claimed_by": _("naam van een werkproces, geen persoon"),
    "events.WebhookAflevering.body": _("inhoud van een gebeurtenis: alleen id's (docs/events.md)"),
}

# -- which fields hold personal data ------------------------------------------------

#: Field names that point at a person or hold what a person wrote or is.
_NAME_HINTS = re.compile(
    r"naam|name|geboorte|bsn|straat|huisnummer|postcode|woonplaats|adres|telefoon|email|"
    r"^ip_|user_agent|reden|omschrijving|toelichting|notitie|opmerking|inwoner|tekst|inhoud|"
    r"persoon|huishouden|casus|signaal|melder|afsluiter|user|_door$|_by$|subject|contact"
)
#: Models whose rows are about one resident: every field of theirs is personal data.
_SUBJECT_LABELS = ("casussen.Huishouden", "casussen.Gezinslid")


def project_models() -> list[type[models.Model]]:
    """The models of the platform's own apps (not Django's or third parties')."""
    base = Path(settings.BASE_DIR).resolve()
    found: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base in path.parents and ".venv" not in path.parts:
            found.extend(config.get_models())
    return found


def _subject_models(all_models: list[type[models.Model]]) -> set[type[models.Model]]:
    """Models about a resident: sealed with a household key, or linked to such a model."""
    subject = {m for m in all_models if getattr(m, "sealed_with", None)}
    subject |= {apps.get_model(label) for label in _SUBJECT_LABELS}
    changed = True
    while changed:
        changed = False
        for model in all_models:
            if model in subject:
                continue
            if any(
                f.is_relation and f.concrete and f.related_model in subject
                for f in model._meta.concrete_fields
            ):
                subject.add(model)
                changed = True
    return subject


def is_persoonsgegeven(field: models.Field, *, subject_models: set[type[models.Model]]) -> bool:
    """Does ``field`` hold personal data (of a resident or a member of staff)?"""
    if field.primary_key:
        return False
    if field.model in subject_models:
        return True
    if isinstance(
        field,
        SealedField | BlindIndexField | models.GenericIPAddressField | models.EmailField,
    ):
        return True
    if isinstance(field, models.TextField):
        return True
    if field.is_relation and field.related_model is apps.get_model(settings.AUTH_USER_MODEL):
        return True
    return bool(_NAME_HINTS.search(field.name))


def persoonsgegevens_velden() -> Iterator[tuple[str, str]]:
    """(model label, field name) of every field with personal data, found by walking."""
    all_models = project_models()
    subject = _subject_models(all_models)
    for model in all_models:
        for field in model._meta.concrete_fields:
            if is_persoonsgegeven(field, subject_models=subject):
                yield model._meta.label, field.name


def ontbrekend() -> list[str]:
    """Fields with personal data that the register does not map (should be none)."""
    return [
        f"{label}.{name}"
        for label, name in persoonsgegevens_velden()
        if name not in REGISTER.get(label, {}) and f"{label}.{name}" not in GEEN_PERSOONSGEGEVENS
    ]


def verouderd() -> list[str]:
    """Entries that name a model or field that does not exist (should be none)."""
    stale = []
    for label, velden in REGISTER.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            stale.append(label)
            continue
        names = {f.name for f in model._meta.concrete_fields}
        stale.extend(f"{label}.{name}" for name in velden if name not in names)
    for key in GEEN_PERSOONSGEGEVENS:
        label, name = key.rsplit(".", 1)
        try:
            apps.get_model(label)._meta.get_field(name)
        except (LookupError, FieldDoesNotExist):
            stale.append(key)
    return stale


# -- output -------------------------------------------------------------------------


@dataclass(frozen=True)
class Regel:
    tabel: str
    veld: str
    omschrijving: str
    categorie: str
    doel: str
    grondslag: str
    bewaarklasse: str


def regels() -> Iterator[Regel]:
    for label, velden in REGISTER.items():
        model = apps.get_model(label)
        for name, v in velden.items():
            field = model._meta.get_field(name)
            yield Regel(
                tabel=f"{label} ({model._meta.verbose_name})",
                veld=name,
                omschrijving=str(getattr(field, "verbose_name", name)),
                categorie=str(v.categorie),
                doel=str(v.doel),
                grondslag=str(v.grondslag),
                bewaarklasse=str(BEWAARKLASSEN[v.bewaarklasse]),
            )


def headers() -> list[str]:
    return [
        str(_("Tabel")),
        str(_("Veld")),
        str(_("Omschrijving")),
        str(_("Categorie")),
        str(_("Doel")),
        str(_("Grondslag")),
        str(_("Bewaartermijn")),
    ]


def _cells(regel: Regel) -> list[str]:
    return [
        regel.tabel,
        regel.veld,
        regel.omschrijving,
        regel.categorie,
        regel.doel,
        regel.grondslag,
        regel.bewaarklasse,
    ]


def as_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    for regel in regels():
        writer.writerow(_cells(regel))
    return out.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown() -> str:
    lines = [
        f"# {_('Register van verwerkingsactiviteiten (AVG art. 30)')}",
        "",
        str(
            _(
                "Elk veld met persoonsgegevens, met categorie, doel, grondslag en "
                "bewaartermijn. Gegenereerd uit toegang/verwerkingsregister.py."
            )
        ),
        "",
        "| " + " | ".join(headers()) + " |",
        "|" + "---|" * len(headers()),
    ]
    lines.extend("| " + " | ".join(_md(c) for c in _cells(r)) + " |" for r in regels())
    lines.append("")
    return "\n".join(lines)
