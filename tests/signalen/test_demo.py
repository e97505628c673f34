"""The demo signals: each partner organisation, each consent mode, idempotent."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from signalen.models import Signaal, Status, Toestemming
from toegang.models import Organisatie


def test_each_partner_organisation_signalled_several_times_in_each_consent_mode(db):
    call_command("demo", stdout=StringIO())

    partners = Organisatie.objects.exclude(soort=Organisatie.Soort.GEMEENTE)
    assert partners.count() >= 4
    for organisatie in partners:
        for modus in Toestemming.values:
            assert Signaal.objects.filter(organisatie=organisatie, toestemming=modus).count() >= 2
    assert (
        Signaal.objects.exclude(mogelijke_match=[]).exists()
        or Signaal.objects.filter(casus__isnull=False, status=Status.ONTVANGEN).exists()
    )
    assert {Status.ONTVANGEN, Status.OPGEPAKT, Status.DOORVERWEZEN} <= set(
        Signaal.objects.values_list("status", flat=True)
    )


def test_the_demo_runs_twice_without_making_more(db):
    call_command("demo", stdout=StringIO())
    count = Signaal.objects.count()
    call_command("demo", stdout=StringIO())
    assert Signaal.objects.count() == count
