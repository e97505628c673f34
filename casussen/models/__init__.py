"""Models of the casussen app, one module per topic."""

from casussen.models.huishouden import Gezinslid, Huishouden, Relatie

__all__ = ["Gezinslid", "Huishouden", "Relatie"]
