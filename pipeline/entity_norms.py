"""Entity normalization: every entity gets its canonical value in ``span._.norm``.

Lexicon entities (drugs, specialties, states, treatments, guideline sources,
decisions, sex) carry their canonical name as the ruler pattern's ``id``;
measured entities (strength, quantity, date, age) are parsed by the pure
functions in ``normalize/``. Drug names written as a combination
("Hydrocodone/APAP") become one DRUG entity whose norm joins the parts' generic
names with "/" in the order written.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Set

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from . import extensions  # noqa: F401
from .serialize import JsonDataMixin
from .normalize import parse_duration, parse_quantity, parse_strength, to_iso_date
from .normalize.numbers import as_int, parse_number


def _strength_norm(text: str) -> Optional[str]:
    parsed = parse_strength(text)
    if parsed is None:
        return None
    values, unit = parsed
    return "/".join(str(v) for v in values) + " " + unit


def _quantity_norm(text: str) -> Optional[str]:
    value = parse_quantity(text)
    return None if value is None else str(value)


def _age_norm(text: str) -> Optional[str]:
    for word in text.replace("-", " ").split():
        value = as_int(parse_number(word))
        if value is not None:
            return str(value)
    return None


PARSERS: Dict[str, Callable[[str], Optional[str]]] = {
    "STRENGTH": _strength_norm,
    "QUANTITY": _quantity_norm,
    "DATE": to_iso_date,
    "AGE": _age_norm,
    "DURATION": parse_duration,
}


def merge_combinations(doc: Doc, ents: Sequence[Span], label: str, joiners: Sequence[str]) -> List[Span]:
    """Join runs of ``label`` entities separated by a single joiner token into one span.

    The merged span's norm is the parts' norms joined with "/".
    """
    merged: List[Span] = []
    i = 0
    while i < len(ents):
        ent = ents[i]
        if ent.label_ != label:
            merged.append(ent)
            i += 1
            continue
        parts = [ent]
        j = i + 1
        while (
            j < len(ents)
            and ents[j].label_ == label
            and ents[j].start == parts[-1].end + 1
            and doc[parts[-1].end].text in joiners
        ):
            parts.append(ents[j])
            j += 1
        if len(parts) == 1:
            merged.append(ent)
        else:
            span = Span(doc, parts[0].start, parts[-1].end, label=label)
            span._.norm = "/".join(p.ent_id_ or p.text.lower() for p in parts)
            merged.append(span)
        i = j
    return merged


def with_release_suffixes(doc: Doc, ents: Sequence[Span], label: str, suffixes: frozenset) -> List[Span]:
    """``label`` entities extended over the release or formulation suffixes written right
    after them ("Bupropion XL", "Ondansetron ODT", "Pantoprazole sodium DR"): the suffix
    is part of the product's name. The extended span keeps the entity's norm."""
    out: List[Span] = []
    for i, ent in enumerate(ents):
        end = ent.end
        limit = ents[i + 1].start if i + 1 < len(ents) else len(doc)
        while ent.label_ == label and end < limit and doc[end].text in suffixes:
            end += 1
        if end == ent.end:
            out.append(ent)
            continue
        span = Span(doc, ent.start, end, label=ent.label, span_id=ent.id)
        span._.norm = ent._.norm or ent.ent_id_ or None
        span._.fuzzy = ent._.fuzzy
        out.append(span)
    return out


def drug_ids(name: str, table: Dict[str, Dict[str, str]]) -> Optional[Dict[str, List[Optional[str]]]]:
    """DrugBank and MeSH ids of each ingredient of a drug name ("hydrocodone/acetaminophen")."""
    parts = [table.get(part, {}) for part in name.split("/")]
    if not any(parts):
        return None
    return {key: [p.get(key) for p in parts] for key in ("drugbank", "mesh")}


def _is_count(token: Token) -> bool:
    """A cardinal number ("12", "twelve"): spaCy's like_num also takes ordinals ("first"),
    and the number parser also takes the article "a"."""
    return token.like_num and parse_number(token.text) is not None


def counts_before_treatments(
    doc: Doc,
    ents: Sequence[Span],
    nouns: Sequence[str],
    fillers: Sequence[str] = (),
    generic_heads: Sequence[str] = (),
) -> List[Span]:
    """QUANTITY spans for counts written before a treatment ("sixteen chiropractic visits",
    "two or three subacromial injections") or a drug given as one ("three Synvisc
    injections"): the count stands apart from its noun. Words of amount (``fillers``:
    "eight more aquatic therapy sessions") may stand between the count and the
    treatment, and a generic head the lexicon leaves untagged (``generic_heads``:
    "twelve therapy sessions") stands for a treatment."""
    taken = {i for e in ents for i in range(e.start, e.end)}
    heads = [(e.start, e.end) for e in ents if e.label_ in ("TREATMENT", "DRUG")]
    if generic_heads:
        wanted = numpy.asarray([doc.vocab.strings.add(w) for w in generic_heads], dtype="uint64")
        found = numpy.flatnonzero(numpy.isin(doc.to_array(LOWER), wanted)).tolist()
        heads += [(i, i + 1) for i in found if i not in taken]
    counts: List[Span] = []
    for start, end in sorted(heads):
        if start == 0:
            continue
        noun = doc[end].lower_ if end < len(doc) else ""
        if noun not in nouns and doc[end - 1].lower_ not in nouns:
            continue
        last = start - 1
        while last > 0 and last not in taken and doc[last].lower_ in fillers:
            last -= 1
        if last in taken or not _is_count(doc[last]):
            continue
        first = last
        if last >= 2 and doc[last - 1].lower_ in ("to", "or", "-") and _is_count(doc[last - 2]) and last - 2 not in taken:
            first = last - 2
        counts.append(Span(doc, first, last + 1, label="QUANTITY"))
        taken.update(range(first, last + 1))
    return counts


def percents_out_of_context(
    doc: Doc, ents: Sequence[Span], *, anchors: Sequence[str], forms: Sequence[str], window: int
) -> Set[int]:
    """Indices of the percentage STRENGTH spans that are no drug's strength: no anchor
    entity (a drug, another strength) ends within ``window`` tokens before it, no drug
    follows it and no dosage form ("success rates were 64.7%", "at least 50% pain relief")."""
    dropped: Set[int] = set()
    for i, ent in enumerate(ents):
        if ent.label_ != "STRENGTH" or not ent.text.endswith("%"):
            continue
        if ent.end < len(doc) and doc[ent.end].lower_ in forms:
            continue
        # Entities do not overlap, so at most window + 1 of them end within the window.
        # A dropped percentage anchors nothing: "rates were 64.7% versus 36.5%".
        before = any(
            ents[j].label_ in anchors and ents[j].end >= ent.start - window and j not in dropped
            for j in range(max(0, i - window - 1), i)
        )
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        after = nxt is not None and nxt.label_ in anchors and nxt.label_ != "STRENGTH" and nxt.start <= ent.end + 1
        if not before and not after:
            dropped.add(i)
    return dropped


class EntityNormalizer(JsonDataMixin):
    """Sets ``span._.norm`` on every entity, merges combination drug names, extends drug
    names over their release suffixes, tags
    counts written before a treatment, and gives drugs their DrugBank and MeSH ids
    (data: patterns/drug_ids.json)."""

    data_filename = "drug_ids.json"

    def __init__(
        self,
        nlp: Language,
        name: str = "imr_normalizer",
        *,
        combine_labels: Sequence[str] = ("DRUG",),
        joiners: Sequence[str] = ("/", "-", "+"),
        count_nouns: Sequence[str] = (),
        count_fillers: Sequence[str] = (),
        count_generic_heads: Sequence[str] = (),
        percent_anchors: Sequence[str] = ("DRUG", "STRENGTH"),
        percent_forms: Sequence[str] = (),
        percent_window: int = 4,
        release_suffixes: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.combine_labels = tuple(combine_labels)
        self.joiners = tuple(joiners)
        self.count_nouns = frozenset(count_nouns)
        self.count_fillers = frozenset(count_fillers)
        self.count_generic_heads = frozenset(count_generic_heads)
        self.percent_anchors = frozenset(percent_anchors)
        self.percent_forms = frozenset(percent_forms)
        self.percent_window = percent_window
        self.release_suffixes = frozenset(release_suffixes)
        self.data: Optional[Dict] = None
        self._ids: Dict[str, Dict[str, str]] = {}

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None, drug_ids: Optional[Dict] = None) -> None:
        """Load the ids of generic drug names (patterns/drug_ids.json)."""
        if drug_ids is not None:
            self.set_data(drug_ids)

    def set_data(self, data: Dict) -> None:
        self._ids = data
        self.data = data

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        for label in self.combine_labels:
            ents = merge_combinations(doc, ents, label, self.joiners)
        if self.release_suffixes:
            ents = with_release_suffixes(doc, ents, "DRUG", self.release_suffixes)
        if self.count_nouns:
            counts = counts_before_treatments(doc, ents, self.count_nouns, self.count_fillers, self.count_generic_heads)
            ents = sorted(ents + counts, key=lambda e: e.start)
        if self.percent_anchors:
            stray = percents_out_of_context(
                doc, ents, anchors=self.percent_anchors, forms=self.percent_forms, window=self.percent_window
            )
            if stray:
                ents = [e for i, e in enumerate(ents) if i not in stray]
        for ent in ents:
            if ent._.norm is not None:
                continue
            parse = PARSERS.get(ent.label_)
            if parse is not None:
                ent._.norm = parse(ent.text)
            elif ent.ent_id_:
                ent._.norm = ent.ent_id_
            else:
                ent._.norm = ent.text.lower()
        if self._ids:
            for ent in ents:
                if ent.label_ == "DRUG" and ent._.norm:
                    ent._.ids = drug_ids(ent._.norm, self._ids)
        doc.ents = ents
        return doc
