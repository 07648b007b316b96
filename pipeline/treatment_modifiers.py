"""Treatment spans widened over the words before their head that say which kind of
treatment it is: a body site ("lumbar MRI", "knee brace"), a technique or approach
("arthroscopic partial meniscectomy"), a type ("triple phase bone scan", "hinged knee
brace") or a timing that makes it a distinct service ("post-operative physical
therapy"), as corpus/GUIDELINES.md draws them. A specialty right before a visit to a
specialist ("Rheumatology consultation", "physiatrist referral") names the kind of
visit and is taken in too.

A TREATMENT that a trained ner proposes and that is made of such words only ("Post-op"
before a drug) names no treatment and is dropped.

The lexicon names a treatment by its head ("MRI", "brace", "meniscectomy"); the
words that may stand before it are data (patterns/treatment_modifiers.json), given
through ``initialize`` and saved with the pipeline. A hyphenated compound
("continuous-flow") counts as one word. The widened span keeps the
lexicon's canonical name.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import extensions  # noqa: F401
from .errors import Errors
from .serialize import JsonDataMixin

# What a specialty entity is labelled; one right before a specialist visit joins it.
SPECIALTY = "SPECIALTY"


def word_before(doc: Doc, end: int, limit: int) -> int:
    """Start of the word ending at token ``end - 1``: a run of tokens joined by "-"
    without spaces counts as one word. Never before ``limit``."""
    start = end - 1
    while (
        start - 2 >= limit
        and doc[start - 1].text == "-"
        and not doc[start - 1].whitespace_
        and not doc[start - 2].whitespace_
    ):
        start -= 2
    return start


def widen(
    doc: Doc,
    ents: Sequence[Span],
    label: str,
    is_modifier: Callable[[Span], bool],
    takes_in: Callable[[Span, Span], bool] = lambda prev, ent: False,
) -> List[Span]:
    """``label`` entities extended leftwards over the words ``is_modifier`` accepts,
    never across a blank line. An entity of the same label right before is taken in too
    when it is made of such words only ("arthroscopic" before "partial meniscectomy") or
    has no lexicon id (a trained ner's "Abduction" before the lexicon's "sling"); an
    entity of another label right before is taken in when ``takes_in(prev, ent)``."""
    out: List[Span] = []
    for ent in ents:
        if ent.label_ != label:
            out.append(ent)
            continue
        start = ent.start
        while True:
            prev = out[-1] if out else None
            limit = prev.end if prev is not None else 0
            if prev is not None and prev.end == start and (
                (prev.label_ == label and (is_modifier(prev) or not prev.ent_id_))
                or (prev.label_ != label and takes_in(prev, ent))
            ):
                out.pop()
                start = prev.start
                continue
            if start <= limit:
                break
            first = word_before(doc, start, limit)
            if "\n\n" in doc[first:start].text_with_ws or not is_modifier(doc[first:start]):
                break
            start = first
        if start == ent.start:
            out.append(ent)
            continue
        span = Span(doc, start, ent.end, label=ent.label, span_id=ent.id)
        if ent._.norm is not None:
            span._.norm = ent._.norm
        out.append(span)
    return out


class TreatmentModifiers(JsonDataMixin):
    """Widens TREATMENT entities over the kind-of-treatment words before them."""

    data_filename = "treatment_modifiers.json"

    def __init__(self, nlp: Language, name: str = "imr_treatment_modifiers", *, label: str = "TREATMENT") -> None:
        self.name = name
        self.label = label
        self.data: Optional[Dict] = None
        self._words: frozenset = frozenset()
        self._visits: frozenset = frozenset()

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None, modifiers: Optional[Dict] = None) -> None:
        """Take the modifier words (patterns/treatment_modifiers.json)."""
        if modifiers is not None:
            self.set_data(modifiers)

    def set_data(self, data: Dict) -> None:
        self._words = frozenset(w.lower() for w in data.get("words", []))
        self._visits = frozenset(data.get("specialist_visits", []))
        self.data = data

    def is_modifier(self, word: Span) -> bool:
        """Whether a word (or an entity's words) may stand before a treatment's head."""
        if word.text.lower() in self._words:
            return True
        parts = [t.lower_ for t in word if t.text != "-"]
        return len(parts) > 1 and all(p in self._words for p in parts)

    def takes_in(self, prev: Span, ent: Span) -> bool:
        """Whether ``prev``, right before treatment ``ent``, belongs in its span: a
        specialty before a visit to a specialist ("Neurology follow-up visit")."""
        return prev.label_ == SPECIALTY and ent.ent_id_ in self._visits

    def __call__(self, doc: Doc) -> Doc:
        if self.data is None:
            raise ValueError(Errors.E301.format(name=self.name))
        ents = list(doc.ents)
        widened = widen(doc, ents, self.label, self.is_modifier, self.takes_in)
        # A trained ner may propose a modifier alone ("Post-op" before "Norco"): it names
        # no treatment. Lexicon entries (with an id) are left as they are.
        kept = [e for e in widened if not (e.label_ == self.label and not e.ent_id_ and self.is_modifier(e))]
        if len(kept) != len(ents) or any(a is not b for a, b in zip(ents, kept)):
            doc.ents = kept
        return doc
