"""The plan of a huishouden: "1 gezin, **1 plan**, 1 aanspreekpunt".

Owns the brede uitvraag and evaluations (``Meting``: the six dimensions of
Positieve Gezondheid, sealed notes per leefgebied), the one ``Plan`` per
huishouden with its ``Doel`` and ``Actie`` rows on the ondersteuningspiramide,
vaststellen (``PlanVersie`` snapshots, sealed) with a diff between versions,
server-side SVG charts (spinnenweb, trend) and the resident's printout (HTML and
PDF). Access always runs through the casus (``casussen.selectors``); this
sub-package imports ``casussen``, ``toegang`` and ``audit`` only.
"""
