"""Durations ("x 6 months", "30 day supply", "five years", "over a year") to
"<number> <unit>s"; a range ("6-8 weeks", "a day or two") counts at its upper bound."""
from __future__ import annotations

import re
from typing import Optional

from .numbers import as_int, parse_number

_DURATION = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|[a-z]+(?:[\s-][a-z]+)?)\s*-?\s*(?P<unit>hour|hr|minute|min|day|week|wk|month|mo|year)s?\b", re.I
)
# "a day or two": a number after the unit is the range's upper bound
_UPPER_AFTER = re.compile(r"\s+or\s+(?P<upper>\d+|[a-z]+)\s*$", re.I)
_UNITS = {"wk": "week", "mo": "month", "hr": "hour", "min": "minute"}
_ARTICLES = {"a": 1, "an": 1}


def parse_duration(text: str) -> Optional[str]:
    """A duration as "<number> <unit>s" ("30 days"), or None when the text is not one."""
    m = _DURATION.search(text.lower())
    if not m:
        return None
    words = m.group("n").split()
    value = None
    while words and value is None:  # "x 6", "for six": drop leading words that are no number
        value = _ARTICLES.get(" ".join(words)) or parse_number(" ".join(words))
        if value is None:
            words = words[1:]
    if value is None:
        return None
    upper = _UPPER_AFTER.match(text.lower(), m.end())
    if upper is not None:
        value = max(value, parse_number(upper.group("upper")) or value)
    unit = _UNITS.get(m.group("unit"), m.group("unit"))
    number = as_int(value) if as_int(value) is not None else value
    return f"{number} {unit}" + ("" if value == 1 else "s")
