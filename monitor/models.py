"""Buurten (reference data) and the monitor's read model (the projection).

The projection tables hold ids of casussen, signalen, acties and metingen (as
the events carry them), buurt codes, dates and codes: no names, no addresses,
nothing sealed. They are written only by ``monitor.projection`` from the outbox
events and can be rebuilt from the monitor's own event journal.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casussen.plan.constants import Dimensie

#: The dimensions of Positieve Gezondheid, as the meting events name them.
DIMENSIES: tuple[str, ...] = tuple(Dimensie.values)


class Wijk(models.Model):
    code = models.CharField(_("CBS-wijkcode"), max_length=10, unique=True)
    naam = models.CharField(_("naam"), max_length=100)

    class Meta:
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.naam} ({self.code})"


class Buurt(models.Model):
    code = models.CharField(_("CBS-buurtcode"), max_length=10, unique=True)
    naam = models.CharField(_("naam"), max_length=100)
    wijk = models.ForeignKey(Wijk, on_delete=models.PROTECT, related_name="buurten")

    class Meta:
        verbose_name = _("buurt")
        verbose_name_plural = _("buurten")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.naam} ({self.code})"


class PostcodeGebied(models.Model):
    """A postcode (4 positions, or 6 for one street side) in a buurt; a split 6-position
    postcode has a house number range per buurt."""

    buurt = models.ForeignKey(Buurt, on_delete=models.CASCADE, related_name="postcodes")
    postcode = models.CharField(_("postcode"), max_length=6)
    huisnummer_van = models.PositiveIntegerField(_("huisnummer van"), null=True, blank=True)
    huisnummer_tot = models.PositiveIntegerField(_("huisnummer tot en met"), null=True, blank=True)

    class Meta:
        verbose_name = _("postcodegebied")
        verbose_name_plural = _("postcodegebieden")
        indexes = [models.Index(fields=["postcode"], name="postcodegebied_postcode")]
        constraints = [
            models.CheckConstraint(
                condition=Q(huisnummer_van__isnull=True, huisnummer_tot__isnull=True)
                | Q(huisnummer_van__isnull=False, huisnummer_tot__isnull=False),
                name="postcodegebied_bereik_compleet",
            )
        ]

    def __str__(self) -> str:
        if self.huisnummer_van is None:
            return self.postcode
        return f"{self.postcode} {self.huisnummer_van}-{self.huisnummer_tot}"


# -- the read model -----------------------------------------------------------------


class Gebeurtenis(models.Model):
    """The monitor's journal: every outbox event it applied (ids and codes only).

    The outbox is pruned after a week; this journal is what ``monitor_rebuild`` replays.
    """

    #: Order in which the consumer applied the events; the rebuild replays in this order.
    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    volgnummer = models.BigIntegerField()
    event_type = models.CharField(max_length=64)
    schema_version = models.PositiveSmallIntegerField()
    aggregate_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("monitorgebeurtenis")
        verbose_name_plural = _("monitorgebeurtenissen")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class Feit(models.Model):
    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class SignaalFeit(Feit):
    signaal_id = models.UUIDField(primary_key=True)
    ontvangen_op = models.DateTimeField(db_index=True)
    buurt = models.CharField(max_length=10, blank=True)
    organisatie_soort = models.CharField(max_length=32, blank=True)
    toestemming = models.CharField(max_length=32, blank=True)
    leefgebieden = models.JSONField(default=list)
    casus_id = models.UUIDField(null=True, blank=True, db_index=True)
    #: The household the signal belongs to (events from schema 3 on): its destruction
    #: takes the signal along, also when it never became part of a casus.
    huishouden_id = models.UUIDField(null=True, blank=True, db_index=True)


class CasusFeit(Feit):
    casus_id = models.UUIDField(primary_key=True)
    geopend_op = models.DateTimeField(null=True, db_index=True)
    gesloten_op = models.DateTimeField(null=True, blank=True, db_index=True)
    afsluitreden = models.CharField(max_length=32, blank=True)
    buurt = models.CharField(max_length=10, blank=True)
    eerste_signaal_op = models.DateTimeField(null=True, blank=True)
    aanspreekpunt_op = models.DateTimeField(null=True, blank=True)
    eerste_gesprek_op = models.DateField(null=True, blank=True)


class ActieFeit(Feit):
    actie_id = models.UUIDField(primary_key=True)
    casus_id = models.UUIDField(db_index=True)
    trede = models.PositiveSmallIntegerField()
    aangemaakt_op = models.DateTimeField(db_index=True)


class MetingFeit(Feit):
    meting_id = models.UUIDField(primary_key=True)
    casus_id = models.UUIDField(db_index=True)
    soort = models.CharField(max_length=16)
    datum = models.DateField()
    vastgelegd_op = models.DateTimeField()
    lichaamsfuncties = models.PositiveSmallIntegerField()
    mentaal_welbevinden = models.PositiveSmallIntegerField()
    zingeving = models.PositiveSmallIntegerField()
    kwaliteit_van_leven = models.PositiveSmallIntegerField()
    meedoen = models.PositiveSmallIntegerField()
    dagelijks_functioneren = models.PositiveSmallIntegerField()


PROJECTIE_MODELLEN = (SignaalFeit, CasusFeit, ActieFeit, MetingFeit)


class Telling(models.Model):
    """A count per quarter, measure and code (``monitor.tellers``)."""

    kwartaal = models.CharField(max_length=7)  # "2026-K3"
    maat = models.CharField(max_length=48)  # "nieuw", "signalen:soort", "gezondheid:meedoen"…
    code = models.CharField(max_length=32, blank=True)
    aantal = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kwartaal} {self.maat} {self.code}"


class Teller(Telling):
    """The figures' counters: what every fact adds, kept up to date per batch of events,
    so a quarter reads a few hundred rows whatever the number of casussen."""

    class Meta:
        verbose_name = _("teller")
        verbose_name_plural = _("tellers")
        constraints = [
            models.UniqueConstraint(fields=["kwartaal", "maat", "code"], name="teller_uniek")
        ]


class Restbijdrage(Telling):
    """What destroyed casussen and signals still add to the counters, summed over all of
    them (``monitor.restbijdrage``). Their own rows and journal entries are gone, so
    ``monitor_rebuild`` starts the counters from this table."""

    class Meta:
        verbose_name = _("restbijdrage")
        verbose_name_plural = _("restbijdragen")
        constraints = [
            models.UniqueConstraint(fields=["kwartaal", "maat", "code"], name="restbijdrage_uniek")
        ]
