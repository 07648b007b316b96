"""Dates as letters write them ("August 13, 2009", "01/15/2015", "10-13-16") to ISO 8601."""
from __future__ import annotations

import datetime as _dt
import re
from typing import Optional

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_NUMERIC = re.compile(r"^\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{2}|\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_MONTH_FIRST = re.compile(r"^\s*([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\s*$")
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\s*$")
# Two-digit years up to this value are read as 20xx, later ones as 19xx.
_PIVOT = 40


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000 if y <= _PIVOT else 1900
    return y


def _iso(y: int, m: int, d: int) -> Optional[str]:
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def to_iso_date(text: str) -> Optional[str]:
    """YYYY-MM-DD for a US-style date, or None when it is not a valid date."""
    m = _NUMERIC.match(text)
    if m:
        return _iso(_year(m.group(3)), int(m.group(1)), int(m.group(2)))
    m = _ISO.match(text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _MONTH_FIRST.match(text)
    if m:
        month = _MONTHS.get(m.group(1)[:3].lower())
        return _iso(int(m.group(3)), month, int(m.group(2))) if month else None
    m = _DAY_FIRST.match(text)
    if m:
        month = _MONTHS.get(m.group(2)[:3].lower())
        return _iso(int(m.group(3)), month, int(m.group(1))) if month else None
    return None
