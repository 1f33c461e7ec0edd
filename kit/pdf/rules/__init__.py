"""The preflight's rules, one module per family; a family's prefix starts each code.

PRN print shop, STR structure, TXT text layer, GEO geometry, VAL a school's
values. A new family is a module with a `RULES` tuple, added to `FAMILIES`
below. LIN (lines) reads the laid-out pages instead of the written file:
`kit.pdf.rules.lines`.
"""

from __future__ import annotations

from kit.pdf.rules import geometry, structure, text, values
from kit.pdf.rules import print as print_shop
from kit.pdf.rules.base import Rule

FAMILIES = (geometry, structure, text, print_shop, values)
RULES: tuple[Rule, ...] = tuple(rule for family in FAMILIES for rule in family.RULES)
