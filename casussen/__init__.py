"""Households and their casus: "1 gezin, 1 plan, 1 aanspreekpunt".

Owns huishouden and gezinsleden, matching, the casus lifecycle, aanspreekpunt
and overdracht, betrokkenen, noodtoegang and the plan. May import ``toegang``
and ``audit``, never ``signalen``.
"""
