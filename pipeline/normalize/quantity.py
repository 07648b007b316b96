"""Quantities: pills counted ("#120", "ninety count", "QTY: 60") and sessions ("2x6",
"2 times a week for 6 weeks", "twelve (12) visits")."""
from __future__ import annotations

import re
from typing import List, Optional

from .numbers import as_int, parse_number

_NUMBER_WORD = r"(?:\d+(?:\.\d+)?|[a-z]+(?:[\s-][a-z]+)*?)"
_FREQUENCY = re.compile(
    r"(?P<per>\d+(?:\s*-\s*\d+)?|[a-z]+(?:\s*(?:-|to)\s*[a-z]+)?)\s*(?:x|times?|visits|sessions|treatments)?\s*"
    r"(?:a|per|each|/)?\s*(?:week|wk|weekly)\s*,?\s*(?:for|x|times|over)\s*"
    r"(?P<weeks>\d+(?:\s*-\s*\d+)?|[a-z]+(?:\s*(?:-|to)\s*[a-z]+)?)\s*(?:weeks?|wks)$"
)
_TIMES = re.compile(r"^(?P<a>\d+|[a-z]+)\s*(?:x|times)\s*(?P<b>\d+|[a-z]+)(?:\s+(?:visits|sessions|treatments))?$")
_PAREN = re.compile(r"\((\d+)\)")
_COUNT_RANGE = re.compile(r"^(?P<low>\d+|[a-z]+)\s*(?:-|to|or)\s*(?P<high>\d+|[a-z]+)(?:\s+[a-z]|$)")
_LEADING = re.compile(r"^(?:#|qty\.?|quantity\.?|x|times)\s*[:#-]?\s*(?:of\s+)?", re.IGNORECASE)


def _upper(text: str) -> Optional[float]:
    """The upper bound of a number or a range ("2-3", "two to three")."""
    parts = re.split(r"\s*(?:-|to)\s*", text.strip())
    values: List[float] = []
    for part in parts:
        v = parse_number(part)
        if v is None:
            return parse_number(text)
        values.append(v)
    return max(values) if values else None


def parse_quantity(text: str) -> Optional[int]:
    """The count a quantity expression stands for, or None.

    A frequency over a period is the number of sessions it gives ("2x6" -> 12,
    "2-3 times a week for 6 weeks" -> 18: ranges count at their upper bound).
    """
    t = " ".join(text.lower().split())
    m = _TIMES.match(t)
    if m:
        a, b = parse_number(m.group("a")), parse_number(m.group("b"))
        if a is not None and b is not None:
            return as_int(a * b)
    m = _FREQUENCY.search(t)
    if m:
        per, weeks = _upper(m.group("per")), _upper(m.group("weeks"))
        if per is not None and weeks is not None:
            return as_int(per * weeks)
    m = _PAREN.search(t)
    if m:
        return int(m.group(1))
    m = _COUNT_RANGE.match(t)
    if m:
        low, high = parse_number(m.group("low")), parse_number(m.group("high"))
        if low is not None and high is not None:
            return as_int(max(low, high))
    t = _LEADING.sub("", t)
    words = t.split()
    # "ninety count", "60 tablets", "one hundred twenty count": the number is what
    # precedes the counted noun.
    for n in range(len(words), 0, -1):
        value = parse_number(" ".join(words[:n]))
        if value is not None:
            return as_int(value)
    return None
