"""Numbers written as digits or English words ("ninety", "twenty-four", "one hundred twenty")."""
from __future__ import annotations

import re
from typing import Optional

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "a": 1, "an": 1, "single": 1, "once": 1, "twice": 2, "thrice": 3,
    "dozen": 12,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")
_SPLIT = re.compile(r"[\s\-]+")


def parse_number(text: str) -> Optional[float]:
    """The value of a number written in digits or words, else None."""
    t = text.strip().lower().replace(",", "")
    if not t:
        return None
    if _DIGITS.match(t):
        return float(t)
    total = 0
    current = 0
    seen = False
    for word in _SPLIT.split(t):
        if word == "and" and seen:
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


def as_int(value: Optional[float]) -> Optional[int]:
    """An integral float as int; None stays None."""
    if value is None or value != int(value):
        return None
    return int(value)
