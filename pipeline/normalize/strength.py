"""Strengths ("10/325 mg", "350mg", "5%", "10 mcg/hr") to values and a unit."""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

_STRENGTH = re.compile(
    r"^\s*(?P<values>\d+(?:\.\d+)?(?:\s*[/-]\s*\d+(?:\.\d+)?)*)\s*(?P<unit>[A-Za-zµ%]+(?:\s*/\s*[A-Za-z0-9]+)?)\s*$"
)
_UNIT_ALIASES = {
    "mgs": "mg", "milligram": "mg", "milligrams": "mg", "mcgs": "mcg", "µg": "mcg",
    "microgram": "mcg", "micrograms": "mcg", "gm": "g", "gms": "g", "gram": "g",
    "grams": "g", "mls": "ml", "cc": "ml", "units": "unit", "iu": "unit", "meq": "mEq",
}


def _number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def parse_strength(text: str) -> Optional[Tuple[List[float | int], str]]:
    """([values], unit) for a strength, or None when the text is not one."""
    m = _STRENGTH.match(text)
    if not m:
        return None
    values = [_number(v) for v in re.split(r"\s*[/-]\s*", m.group("values"))]
    unit = re.sub(r"\s+", "", m.group("unit")).lower()
    base, _, per = unit.partition("/")
    base = _UNIT_ALIASES.get(base, base)
    per = per.lstrip("1")  # "mg/1ml" is "mg/ml"
    unit = f"{base}/{per}" if per else base
    return values, unit
