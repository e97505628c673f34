"""Writes of the casussen app, one module per topic (HackSoft-style services).

The public services are also reachable as ``casussen.services.<name>`` (imported
on first use, so the topic modules can import each other freely).
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC: dict[str, str] = {
    "intake_persoon": "intake",
    "huishouden_merge": "intake",
    "register_merge_handler": "intake",
    "casus_open": "casus",
    "casus_assign_aanspreekpunt": "casus",
    "casus_overdragen": "casus",
    "casus_set_status": "casus",
    "casus_touch": "casus",
    "casus_afsluiting_wijzigen": "afsluiting",
    "casus_heropenen": "afsluiting",
    "timeline_add": "casus",
    "betrokkene_add": "betrokkenen",
    "betrokkene_revoke": "betrokkenen",
    "noodtoegang_start": "betrokkenen",
    "access_expire": "betrokkenen",
    "huishouden_create": "huishouden",
    "gezinslid_add": "huishouden",
    "huishouden_shred": "huishouden",
    "destroy_household": "retention",
}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        module = importlib.import_module(f"casussen.services.{_PUBLIC[name]}")
        return getattr(module, name)
    raise AttributeError(name)
