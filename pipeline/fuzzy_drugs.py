"""Misspelled drug names, matched by spelling only where a drug is expected.

A word is a candidate only if it stands right before a strength or a counted
quantity ("Cyclobenzaprin 7.5mg", "Flexaril #60"; not "program of ten sessions"),
is not already an entity and is long enough to carry a name. It then becomes a DRUG when the drug lexicon holds a
single-word name close enough in spelling (rapidfuzz's normalized Indel
similarity); ordinary words elsewhere in a letter are never compared, so they
can never turn into drugs. The entity keeps the lexicon's generic name as its
norm and is marked in ``span._.fuzzy`` with the name it matched, so the record
can say so.

A trained recognizer placed before this component may propose DRUG spans the
lexicon does not list. With ``check_unlisted`` each such span is kept only when
one of its words is close in spelling to a lexicon name (it then takes that
name's generic as its norm, as a misspelling would); otherwise it is dropped. A
statistical model guesses drugs from context ("Abuse", "supervisor", a lone
"ER"), and a wrong drug costs the record more than a missed one.

The lexicon is data given through ``initialize`` (the same patterns/drugs.jsonl
the entity ruler uses, and the words never compared, patterns/fuzzy_drugs.json)
and saved with the pipeline.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, List, Optional, Tuple

from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import extensions  # noqa: F401
from .errors import Errors
from .serialize import JsonDataMixin

ANCHORS = ("STRENGTH", "QUANTITY")


def single_word_names(patterns: Iterable[Dict]) -> Dict[str, str]:
    """Single-word DRUG names of ruler patterns, with their generic names."""
    return {
        p["pattern"]: p["id"]
        for p in patterns
        if p.get("label") == "DRUG" and isinstance(p.get("pattern"), str) and p["pattern"].isalpha()
    }


class FuzzyDrugs(JsonDataMixin):
    """Tags misspelled drug names that stand before a strength or quantity."""

    data_filename = "fuzzy_drugs.json"

    def __init__(
        self,
        nlp: Language,
        name: str = "imr_fuzzy_drugs",
        *,
        min_length: int = 5,
        min_score: float = 85.0,
        window: int = 2,
        check_unlisted: bool = True,
    ) -> None:
        self.name = name
        self.min_length = min_length
        self.min_score = min_score
        self.window = window
        self.check_unlisted = check_unlisted
        self.data: Optional[Dict] = None
        self._buckets: Optional[Dict[str, List[str]]] = None
        self._names: Dict[str, str] = {}
        self._ignore: frozenset = frozenset()

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None, patterns: Optional[List[Dict]] = None, settings: Optional[Dict] = None) -> None:
        """Take the single-word drug names of the lexicon's patterns, and the words never compared."""
        if patterns is not None:
            self.set_data({"names": single_word_names(patterns), "ignore": list((settings or {}).get("ignore", []))})

    def set_data(self, data: Dict) -> None:
        self._names = dict(data["names"])
        self._ignore = frozenset(data.get("ignore", []))
        buckets: Dict[str, List[str]] = defaultdict(list)
        for name in self._names:
            if len(name) >= self.min_length:
                buckets[name[0]].append(name)  # misspellings keep their first letter
        self._buckets = dict(buckets)
        self.data = data

    def match(self, word: str) -> Optional[Tuple[str, float]]:
        """The lexicon name closest in spelling to ``word``, if close enough."""
        lower = word.lower()
        if lower in self._names:
            return lower, 100.0
        names = self._buckets.get(lower[0], []) if self._buckets else []
        best = process.extractOne(lower, names, scorer=fuzz.ratio, score_cutoff=self.min_score)
        if best is None or abs(len(best[0]) - len(lower)) > 2:
            return None
        return best[0], best[1]

    def candidates(self, doc: Doc) -> List[int]:
        """Indices of words standing right before a strength or quantity, outside any entity."""
        found = []
        for ent in doc.ents:
            if ent.label_ not in ANCHORS or (ent.label_ == "QUANTITY" and not ent.text.startswith("#")):
                continue
            for i in range(ent.start - 1, max(ent.start - 1 - self.window, -1), -1):
                tok = doc[i]
                if tok.ent_type_:
                    break
                if tok.is_alpha and len(tok) >= self.min_length and tok.lower_ not in self._ignore:
                    found.append(i)
                    break
        return found

    def known_spelling(self, span: Span) -> Optional[str]:
        """The lexicon name one of the span's words is spelled like, if any."""
        for tok in span:
            if tok.is_alpha and len(tok) >= self.min_length and tok.lower_ not in self._ignore:
                hit = self.match(tok.text)
                if hit is not None:
                    return hit[0]
        return None

    def check_proposed(self, doc: Doc) -> List[Tuple[Span, str, str]]:
        """Unlisted DRUG entities (no lexicon id): (span, generic, matched name) for those
        the lexicon knows by spelling. The others are removed from ``doc.ents``."""
        kept: List[Tuple[Span, str, str]] = []
        dropped = False
        ents = []
        for ent in doc.ents:
            if ent.label_ == "DRUG" and not ent.ent_id_ and ent._.fuzzy is None:
                matched = self.known_spelling(ent)
                if matched is None:
                    dropped = True
                    continue
                kept.append((ent, self._names[matched], matched))
            ents.append(ent)
        if dropped:
            doc.ents = ents
        return kept

    def __call__(self, doc: Doc) -> Doc:
        if self._buckets is None:
            raise ValueError(Errors.E301.format(name=self.name))
        new: List[Tuple[Span, str, str]] = self.check_proposed(doc) if self.check_unlisted else []
        added: List[Tuple[Span, str, str]] = []
        for i in self.candidates(doc):
            hit = self.match(doc[i].text)
            if hit is not None:
                added.append((Span(doc, i, i + 1, label="DRUG"), self._names[hit[0]], hit[0]))
        if added:
            doc.ents = sorted(list(doc.ents) + [s for s, _, _ in added], key=lambda s: s.start)
        new += added
        if new:
            for span, generic, matched in new:
                ent = doc.char_span(span.start_char, span.end_char)
                ent._.norm = generic
                if matched != ent.text.lower():
                    ent._.fuzzy = matched
        return doc
