"""Models of the casussen app, one module per topic."""

from casussen.models.casus import (
    Betrokkene,
    Casus,
    CasusGroupObjectPermission,
    CasusUserObjectPermission,
    Noodtoegang,
    TimelineEntry,
)
from casussen.models.huishouden import Gezinslid, Huishouden, Relatie
from casussen.plan import models as plan_models  # noqa: F401  (registers the plan models)

__all__ = [
    "Betrokkene",
    "Casus",
    "CasusGroupObjectPermission",
    "CasusUserObjectPermission",
    "Gezinslid",
    "Huishouden",
    "Noodtoegang",
    "Relatie",
    "TimelineEntry",
]
