"""The platform's event catalogue: every event carries ids and a version, nothing personal.

Aggregates: ``signaal`` (a signal and its intake), ``casus`` (the casus with its
aanspreekpunt, betrokkenen, noodtoegang and plan: access to all of them runs
through the casus) and ``huishouden``. Domain apps may add events with
:func:`toegang.events.registry.define`; docs/events.md lists them all.
"""

from __future__ import annotations

from toegang.events.registry import define, organisatie_from_payload, register_webhook_filter

#: Non-personal fields the beleidsmonitor's projection needs (codes, dates, small integers).
MONITOR_SIGNAAL_KEYS = {"organisatie_soort", "toestemming", "buurt", "leefgebieden"}
MONITOR_PLAN_KEYS = {
    "trede",
    "meting_soort",
    "datum",
    "lichaamsfuncties",
    "mentaal_welbevinden",
    "zingeving",
    "kwaliteit_van_leven",
    "meedoen",
    "dagelijks_functioneren",
}
#: A meting's health scores: for the monitor's projection inside the platform only. They
#: never leave it: ``event_body`` (webhooks, NATS) drops them.
INTERNAL_KEYS = frozenset(MONITOR_PLAN_KEYS - {"trede", "meting_soort", "datum"})

define(
    "signaal.ontvangen",
    aggregate_type="signaal",
    version=3,
    keys={
        "casus_id",
        "team_id",
        "organisatie_id",
        "huishouden_id",
        *MONITOR_SIGNAAL_KEYS,
    },
    description="A signal arrived; attached to a casus or waiting in a team's intake queue.",
)
define(
    "signaal.toegewezen",
    aggregate_type="signaal",
    keys={"team_id", "consulent_id"},
    description="A teamleider assigned an intake signal to a consulent.",
)
define(
    "signaal.gekoppeld",
    aggregate_type="signaal",
    keys={"casus_id"},
    description="A consulent confirmed a possible match: the signal joined a casus.",
)
define(
    "signaal.status_gewijzigd",
    aggregate_type="signaal",
    keys={"status", "organisatie_id"},
    description="The status the melder sees changed (terugkoppeling); webhooks of its organisatie.",
)
define(
    "casus.geopend",
    aggregate_type="casus",
    version=2,
    keys={"huishouden_id", "aanspreekpunt_id", "team_id", "signaal_id", "buurt"},
    description="A casus was opened for a huishouden.",
)
define(
    "casus.aanspreekpunt_gewijzigd",
    aggregate_type="casus",
    keys={"van_id", "naar_id"},
    description="Handover (overdracht): the aanspreekpunt changed from one user to another.",
)
define(
    "casus.bijgewerkt",
    aggregate_type="casus",
    version=2,
    keys={"onderdeel", "object_id", "afsluitreden", "buurt"},
    description="Something on the casus changed: a timeline entry, status or note (by kind).",
)
define(
    "casus.gesloten",
    aggregate_type="casus",
    version=2,
    keys={"afsluitreden"},
    description="The casus was closed.",
)
define(
    "betrokkene.toegevoegd",
    aggregate_type="casus",
    keys={"betrokkene_id", "user_id"},
    description="A professional got time-bound access to the casus.",
)
define(
    "betrokkene.verlopen",
    aggregate_type="casus",
    keys={"betrokkene_id", "user_id"},
    description="A betrokkene's access ended by its end date.",
)
define(
    "betrokkene.ingetrokken",
    aggregate_type="casus",
    keys={"betrokkene_id", "user_id"},
    description="A betrokkene's access was revoked before its end date.",
)
define(
    "noodtoegang.gestart",
    aggregate_type="casus",
    keys={"noodtoegang_id", "user_id"},
    description="A consulent opened the casus with emergency access (break-the-glass).",
)
define(
    "plan.bijgewerkt",
    aggregate_type="casus",
    version=2,
    keys={"plan_id", "onderdeel", "object_id", *MONITOR_PLAN_KEYS},
    description="The plan of the casus changed (doel, actie, meting, brede uitvraag).",
)
define(
    "huishouden.vernietigd",
    aggregate_type="huishouden",
    keys=set(),
    description="The huishouden's data key was destroyed (crypto-shredding).",
)

# Partners subscribe to the status of their own organisation's signals only.
register_webhook_filter("signaal.status_gewijzigd", organisatie_from_payload)
