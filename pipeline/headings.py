"""Item headings: where a heading starts, and what a partial authorization decided.

Pure functions over the normalized text; the wording they recognise comes
from patterns/items.json through ``ItemRules``.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Pattern, Sequence, Tuple

Range = Tuple[int, int]
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")


def strip_range(text: str, start: int, end: int) -> Range:
    """[start, end) without surrounding whitespace and trailing commas."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def heading_start(text: str, floor: int, cue_start: int, continuation: Pattern, section_intro: Pattern) -> int:
    """Where the heading that ends at ``cue_start`` begins (not before ``floor``).

    Walks back over lines and sentences from the cue: the unit holding the cue
    is always in; earlier units join only when they continue the heading
    ("... was the original request."), and never across a paragraph break.
    """
    units: List[Range] = []
    pos = floor
    for m in _SENTENCE_BREAK.finditer(text, floor, cue_start):
        units.append((pos, m.start()))
        units.append((-1, -1) if "\n\n" in m.group(0) else (-2, -2))
        pos = m.end()
    units.append((pos, cue_start))
    start = units[-1][0]
    for u_start, u_end in reversed(units[:-1]):
        if u_start == -1:
            break
        if u_start == -2:
            continue
        unit = text[u_start:u_end]
        if not continuation.search(unit) or section_intro.search(unit):
            break
        start = u_start
    return start


def drop_enumerator(text: str, start: int, end: int, enumerator: Pattern) -> Range:
    """A heading without its item number ("1.", "2)", "Issue 3:")."""
    m = enumerator.match(text, start, end)
    return strip_range(text, m.end() if m else start, end)


def split_partial(text: str, start: int, end: int, partial: Sequence[Pattern]) -> Tuple[Range, Optional[Dict[str, Range]]]:
    """The decided part of a heading, and the UR modification when it is a partial authorization."""
    heading = text[start:end]
    for rx in partial:
        m = rx.match(heading)
        if m:
            rng = {g: strip_range(text, start + m.start(g), start + m.end(g)) for g in ("original", "authorized", "remaining")}
            return rng["remaining"], {"original": rng["original"], "authorized": rng["authorized"]}
    return (start, end), None
