"""Fixed vocabularies of the plan: dimensions, treden, owners, statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE_MIN = 0
SCORE_MAX = 10


class Dimensie(models.TextChoices):
    """The six dimensions of Positieve Gezondheid (Huber), in the usual order."""

    LICHAAMSFUNCTIES = "lichaamsfuncties", _("Lichaamsfuncties")
    MENTAAL_WELBEVINDEN = "mentaal_welbevinden", _("Mentaal welbevinden")
    ZINGEVING = "zingeving", _("Zingeving")
    KWALITEIT_VAN_LEVEN = "kwaliteit_van_leven", _("Kwaliteit van leven")
    MEEDOEN = "meedoen", _("Meedoen")
    DAGELIJKS_FUNCTIONEREN = "dagelijks_functioneren", _("Dagelijks functioneren")


DIMENSIES: tuple[str, ...] = tuple(Dimensie.values)


class MetingSoort(models.TextChoices):
    UITVRAAG = "uitvraag", _("Brede uitvraag")
    EVALUATIE = "evaluatie", _("Evaluatie")


class Trede(models.IntegerChoices):
    """Steps of the ondersteuningspiramide: licht waar kan, zwaar waar nodig."""

    EIGEN_KRACHT = 1, _("1 Eigen kracht en netwerk")
    ALGEMENE_VOORZIENING = 2, _("2 Algemene voorziening / sociale basis")
    MAATWERK = 3, _("3 Maatwerk")
    VANGNET = 4, _("4 Vangnet")


#: Treden that count as "licht" for the nudge.
LICHTE_TREDEN = (Trede.EIGEN_KRACHT, Trede.ALGEMENE_VOORZIENING)


class EigenaarSoort(models.TextChoices):
    INWONER = "inwoner", _("Inwoner")
    NETWERK = "netwerk", _("Netwerk")
    PARTNERORGANISATIE = "partnerorganisatie", _("Partnerorganisatie")
    GEMEENTE = "gemeente", _("Gemeente")


class ActieStatus(models.TextChoices):
    OPEN = "open", _("Open")
    BEZIG = "bezig", _("Bezig")
    KLAAR = "klaar", _("Klaar")
    GESTOPT = "gestopt", _("Gestopt")


class DoelUitkomst(models.TextChoices):
    BEREIKT = "bereikt", _("Bereikt")
    DEELS_BEREIKT = "deels_bereikt", _("Deels bereikt")
    NIET_BEREIKT = "niet_bereikt", _("Niet bereikt")


class PlanStatus(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    VASTGESTELD = "vastgesteld", _("Vastgesteld")
