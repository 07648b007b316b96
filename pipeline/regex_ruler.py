"""A ruler of regular expressions over the text, for entities defined by their shape.

Strengths, quantities, durations, dates, ages and negated conclusions are
shapes ("10/325 mg", "2 times a week for 6 weeks", "is not supported ... as
medically necessary") rather than vocabulary. spaCy's token ``Matcher`` tests
every pattern at every token and calls back into Python for each set or regex
test; scanning the whole text with each expression is no cheaper. On these
letters both cost several times the tokenizer (see configs/rules.cfg).

Each pattern therefore names the tokens it can start at (``starts``): "<number>"
(a token like a number, "ninety" included), "<digit>" (a token whose first
character is a digit), a single character ("#": a token starting with it) or a
lower-case word. The candidate tokens are found with one vectorized look at
the doc's token attributes, and the expression is only tried there
(``regex.match`` at the token's offset).

Patterns are data (patterns/regex/*.jsonl: ``{"label", "pattern", "starts",
"id"?}``), given through ``initialize`` and saved with the pipeline. Matches are
aligned to tokens; where spans overlap, the longest wins and an existing entity
wins a tie, so a lexicon phrase such as "Tylenol #3" is never cut into a
quantity.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Pattern, Sequence, Tuple

import numpy
from spacy.attrs import IDX, LIKE_NUM, LOWER, PREFIX
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from .extensions import text_of
from .errors import Errors
from .serialize import JsonDataMixin


NUMBER = "<number>"
DIGIT = "<digit>"


_DIGITS = tuple(str(d) for d in range(10))


def _hashes(strings) -> numpy.ndarray:
    return numpy.array(sorted(get_string_id(s) for s in strings), dtype=numpy.uint64)


class RegexPattern:
    """A compiled pattern and the hashes of the token attributes it may start at."""

    __slots__ = ("label", "regex", "id", "number", "prefixes", "words")

    def __init__(self, label: str, regex: Pattern, id: Optional[str], starts: Sequence[str]) -> None:
        self.label = label
        self.regex = regex
        self.id = id
        self.number = NUMBER in starts
        chars = {s for s in starts if len(s) == 1 and not s.isalnum()}
        if DIGIT in starts:
            chars.update(_DIGITS)
        words = {s.lower() for s in starts if s not in (NUMBER, DIGIT) and s not in chars}
        self.prefixes = _hashes(chars)
        self.words = _hashes(words)


def compile_patterns(patterns: Sequence[Dict]) -> List[RegexPattern]:
    """Compile ``{"label", "pattern", "starts", "id"?}`` entries (case-insensitive)."""
    compiled: List[RegexPattern] = []
    for i, entry in enumerate(patterns, start=1):
        try:
            regex = re.compile(entry["pattern"], re.IGNORECASE)
            starts = entry["starts"]
            if not starts or not isinstance(starts, list):
                raise KeyError("starts (a non-empty list)")
            compiled.append(RegexPattern(entry["label"], regex, entry.get("id"), starts))
        except KeyError as err:
            raise ValueError(Errors.E302.format(path="regex patterns", line=i, reason=f"missing {err}")) from err
        except re.error as err:
            raise ValueError(Errors.E302.format(path="regex patterns", line=i, reason=f"bad regular expression: {err}")) from err
    return compiled


def candidate_offsets(pattern: RegexPattern, cols: numpy.ndarray) -> numpy.ndarray:
    """Character offsets of the tokens the pattern may start at (cols: LOWER, IDX, LIKE_NUM, PREFIX)."""
    mask = cols[:, 2] != 0 if pattern.number else numpy.zeros(len(cols), dtype=bool)
    if len(pattern.prefixes):
        mask |= numpy.isin(cols[:, 3], pattern.prefixes)
    if len(pattern.words):
        mask |= numpy.isin(cols[:, 0], pattern.words)
    return cols[mask, 1]


def find_spans(doc: Doc, text: str, patterns: Sequence[RegexPattern]) -> List[Tuple[Span, Optional[str]]]:
    """Token-aligned spans of every match, with the pattern's id."""
    found: List[Tuple[Span, Optional[str]]] = []
    if not len(doc):
        return found
    cols = doc.to_array([LOWER, IDX, LIKE_NUM, PREFIX])
    for pattern in patterns:
        match = pattern.regex.match
        last_end = -1
        for offset in candidate_offsets(pattern, cols).tolist():
            if offset < last_end:
                continue
            m = match(text, offset)
            if m is None or m.end() == offset:
                continue
            last_end = m.end()
            span = doc.char_span(m.start(), m.end(), label=pattern.label, alignment_mode="expand")
            if span is not None and len(span):
                found.append((span, pattern.id))
    return found


def resolve(existing: Sequence[Span], new: Sequence[Span]) -> List[Span]:
    """Non-overlapping spans: longest first, an existing span before a new one of equal length."""
    ranked = [(len(s), 0, s.start, s) for s in existing] + [(len(s), 1, s.start, s) for s in new]
    ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
    taken = set()
    kept: List[Span] = []
    for _, _, _, span in ranked:
        tokens = range(span.start, span.end)
        if any(i in taken for i in tokens):
            continue
        taken.update(tokens)
        kept.append(span)
    return sorted(kept, key=lambda s: s.start)


class RegexRuler(JsonDataMixin):
    """Adds entities found by regular expressions; longest span wins, existing ones win ties."""

    data_filename = "regex_patterns.json"

    def __init__(self, nlp: Language, name: str = "imr_regex_ruler") -> None:
        self.name = name
        self.data: Optional[Dict] = None
        self._patterns: Optional[List[RegexPattern]] = None

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None, patterns: Optional[List[Dict]] = None) -> None:
        """Load the patterns (patterns/regex/*.jsonl)."""
        if patterns is not None:
            self.set_data({"patterns": list(patterns)})

    def set_data(self, data: Dict) -> None:
        self._patterns = compile_patterns(data["patterns"])
        self.data = data

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(sorted({p.label for p in self._patterns or ()}))

    def __call__(self, doc: Doc) -> Doc:
        if self._patterns is None:
            raise ValueError(Errors.E301.format(name=self.name))
        found = find_spans(doc, text_of(doc), self._patterns)
        if not found:
            return doc
        ids = {(s.start, s.end, s.label_): pid for s, pid in found}
        existing = list(doc.ents)
        kept = resolve(existing, [s for s, _ in found])
        keep_ids = {(e.start, e.end) for e in existing}
        doc.ents = kept
        for ent in doc.ents:
            if (ent.start, ent.end) in keep_ids:
                continue
            pid = ids.get((ent.start, ent.end, ent.label_))
            if pid:
                ent._.norm = pid
        return doc
