"""The relation step: the disputed items of a letter, each with what belongs to it.

The linker tries the item styles its layout lists (patterns/items.json) and
keeps the first that finds items. A "heading" style ends each item heading
with its decision ("Norco 10/325mg #60: Upheld"); a "sentence" style states
request and decision in one sentence ("has determined the request for X is not
medically necessary"), with the item's discussion under the same number or up
to the next sentence. Each item block is then linked by ``links.link_item``.
Results go to ``doc._.items`` as plain dicts whose offsets index the doc's text.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from .errors import Errors, Warnings
from .extensions import text_of
from .headings import Range, drop_enumerator, heading_start, strip_range
from .links import ItemRules, Style, link_item
from .serialize import JsonDataMixin


def _section(doc: Doc, label: str, spans_key: str) -> Optional[Span]:
    return next((s for s in doc.spans.get(spans_key, []) if s.label_ == label), None)


def heading_items(doc: Doc, text: str, ents: Sequence[Span], decisions: Span, style: Style, rules: ItemRules) -> List[Dict]:
    """Items whose headings end with their decision, in the decisions section."""
    lo, hi = decisions.start_char, decisions.end_char
    cues = list(style.cue.finditer(text, lo, hi))
    starts: List[int] = []
    floor = text.find("\n", lo, hi) + 1 or lo  # after the section's own heading
    for cue in cues:
        starts.append(heading_start(text, floor, cue.start(), rules.continuation, rules.section_intro))
        floor = cue.end()
    items = []
    for k, cue in enumerate(cues):
        block = (cue.end(), starts[k + 1] if k + 1 < len(cues) else hi)
        heading = drop_enumerator(text, starts[k], cue.start(), rules.enumerator)
        items.append(link_item(doc, text, ents, heading, style.decision(cue.group("decision")), block, rules))
    return items


def sentence_items(doc: Doc, text: str, ents: Sequence[Span], decisions: Optional[Span], style: Style, rules: ItemRules) -> List[Dict]:
    """Items stated as one sentence each; a request stated twice is one item."""
    lo, hi = (decisions.start_char, decisions.end_char) if decisions is not None else (0, len(text))
    # A numbered summary comes before the decisions heading, and the numbered
    # discussions after it, past the sections that follow (qualifications, case summary).
    region = (0, len(text)) if style.item_heading else (lo, hi)
    cues = list(style.cue.finditer(text, *region))
    items: List[Dict] = []
    seen = set()
    for k, cue in enumerate(cues):
        request = strip_range(text, cue.start("request"), cue.end("request"))
        key = " ".join(text[request[0] : request[1]].lower().split())
        if key in seen:
            continue
        seen.add(key)
        block = (cue.end(), cues[k + 1].start() if k + 1 < len(cues) else region[1])
        number = cue.groupdict().get("number")
        if number:
            block = _numbered_block(text, style, number, lo, len(text)) or block
        items.append(link_item(doc, text, ents, request, style.decision(cue.group("decision")), block, rules))
    return items


def _numbered_block(text: str, style: Style, number: str, lo: int, hi: int) -> Optional[Range]:
    """The discussion block headed by item ``number`` ("2) Regarding the request for ..."),
    or None when the style does not number its items or the heading is not found."""
    heading, any_heading = style.numbered_heading(number), style.any_item_heading
    if heading is None or any_heading is None:
        return None
    # searched in slices, not with pos/endpos: a heading's "^" must match where the slice starts
    m = heading.search(text[lo:hi])
    if not m:
        return None
    start = lo + m.end()
    nxt = any_heading.search(text[start:hi])
    return start, start + nxt.start() if nxt else hi


def find_items(doc: Doc, rules: ItemRules, decisions: Optional[Span]) -> List[Dict]:
    """The items of a doc, found by the first of its layout's styles that finds any;
    ``decisions`` is the doc's decisions section, if it has one."""
    text = text_of(doc)
    ents = list(doc.ents)
    for style in rules.styles_for(doc._.layout):
        if style.kind == "heading":
            items = heading_items(doc, text, ents, decisions, style, rules) if decisions is not None else []
        else:
            items = sentence_items(doc, text, ents, decisions, style, rules)
        if items:
            return items
    return []


class ItemLinker(JsonDataMixin):
    """Writes ``doc._.items``: each decided item with its links."""

    data_filename = "items.json"

    def __init__(self, nlp: Language, name: str = "imr_items", *, spans_key: str = "sections") -> None:
        self.name = name
        self.spans_key = spans_key
        self.data: Optional[Dict] = None
        self._rules: Optional[ItemRules] = None

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None, items: Optional[Dict] = None) -> None:
        """Load how items are written (patterns/items.json)."""
        if items is not None:
            self.set_data(items)

    def set_data(self, data: Dict) -> None:
        self._rules = ItemRules(data)
        self.data = data

    @property
    def rules(self) -> ItemRules:
        if self._rules is None:
            raise ValueError(Errors.E301.format(name=self.name))
        return self._rules

    def __call__(self, doc: Doc) -> Doc:
        decisions = _section(doc, "decisions", self.spans_key)
        items = find_items(doc, self.rules, decisions)
        warnings: List[str] = []
        if doc._.layout == "unknown" and items:
            warnings.append(Warnings.W004)
        elif doc._.layout != "unknown" and decisions is None:
            warnings.append(Warnings.W005)
        doc._.items = items
        doc._.warnings = warnings
        return doc
