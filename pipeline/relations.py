"""The relation step: disputed items and what belongs to each.

For each decided item the linker finds its heading (the request as IMR decided
it), its decision, the request's drug, strength, quantity or treatment, the
guideline citations of the claims administrator and of the expert reviewer, and
the rationale with its conclusion. How items are written is data
(patterns/items.json, one "style" per layout family); results go to
``doc._.items`` as plain dicts whose offsets index ``doc.text``.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Pattern, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from .extensions import text_of
from .citations import CitationRules, compile_citation_rules, parse_citations
from .errors import Errors, Warnings
from .normalize import parse_strength
from .serialize import JsonDataMixin

Range = Tuple[int, int]
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")
_ITEM_LABELS = ("DRUG", "STRENGTH", "QUANTITY", "TREATMENT")


class Style:
    """One way of writing items: a cue regex, decision words and part labels."""

    def __init__(self, name: str, data: Dict) -> None:
        self.name = name
        self.cue: Pattern = re.compile(data["cue"])
        self.decisions: Dict[str, str] = {k.lower(): v for k, v in data["decisions"].items()}
        self.item_heading: Optional[str] = data.get("item_heading")
        self.parts: Dict[str, Pattern] = {k: re.compile(v) for k, v in data.get("parts", {}).items()}


class ItemRules:
    """Compiled patterns/items.json."""

    def __init__(self, data: Dict) -> None:
        try:
            self.styles = {name: Style(name, spec) for name, spec in data["styles"].items()}
            self.layout_styles: Dict[str, str] = dict(data["layout_styles"])
            self.continuation = re.compile(data["heading"]["continuation"], re.I)
            self.section_intro = re.compile(data["heading"]["section_intro"], re.I)
            self.partial = [re.compile(rx, re.S) for rx in data["partial_authorization"]]
            self.citations: CitationRules = compile_citation_rules(data["citations"])
            self.conclusion: Dict[str, bool] = dict(data["conclusion"])
            self.session_nouns = frozenset(data["quantity_around_treatment"]["nouns"])
            self.compound_joiners = frozenset(data["compound_joiners"])
        except (KeyError, TypeError, re.error) as err:
            raise ValueError(Errors.E303.format(reason=f"items: {err}")) from err


def _strip(text: str, start: int, end: int) -> Range:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def heading_start(text: str, floor: int, cue_start: int, rules: ItemRules) -> int:
    """Where the heading that ends at ``cue_start`` begins.

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
        if not rules.continuation.search(unit) or rules.section_intro.search(unit):
            break
        start = u_start
    return start


def split_partial(text: str, start: int, end: int, rules: ItemRules) -> Tuple[Range, Optional[Dict[str, Range]]]:
    """The decided part of a heading, and the UR modification when it is a partial authorization."""
    heading = text[start:end]
    for rx in rules.partial:
        m = rx.match(heading)
        if m:
            rng = {g: _strip(text, start + m.start(g), start + m.end(g)) for g in ("original", "authorized", "remaining")}
            return rng["remaining"], {"original": rng["original"], "authorized": rng["authorized"]}
    return (start, end), None


def find_parts(text: str, start: int, end: int, style: Style) -> Dict[str, Range]:
    """Spans of the labelled parts (guidelines, rationale) of an item block."""
    found: List[Tuple[int, int, str]] = []
    for name, rx in style.parts.items():
        m = rx.search(text, start, end)
        if m:
            found.append((m.start(), m.end(), name))
    found.sort()
    parts: Dict[str, Range] = {}
    for i, (label_start, label_end, name) in enumerate(found):
        part_end = found[i + 1][0] if i + 1 < len(found) else end
        parts[name] = _strip(text, label_end, part_end)
    return parts


def _ents_within(ents: Sequence[Span], start: int, end: int) -> List[Span]:
    return [e for e in ents if start <= e.start_char and e.end_char <= end]


def quantity_around(doc: Doc, treatment: Span, nouns: frozenset) -> Optional[Span]:
    """"Eight physical therapy sessions": the count written around a treatment, as one span."""
    if treatment.start == 0 or treatment.end >= len(doc):
        return None
    before, after = doc[treatment.start - 1], doc[treatment.end]
    if before.like_num and after.lower_ in nouns:
        return doc[treatment.start - 1 : treatment.end + 1]
    return None


def compound(doc: Doc, in_request: Sequence[Span], joiners: frozenset) -> Optional[Dict]:
    """A compounded drug ("Flurbiprofen 10%/Lidocaine 5% cream"): its names and strengths.

    Two or more DRUG entities with nothing but strengths and joiners between them
    make one drug whose name joins the ingredients' names with "/". Strength
    values are listed in order when every strength has the same unit.
    """
    drugs = [e for e in in_request if e.label_ == "DRUG"]
    if len(drugs) < 2:
        return None
    for a, b in zip(drugs, drugs[1:]):
        for tok in doc[a.end : b.start]:
            if tok.ent_type_ != "STRENGTH" and tok.lower_ not in joiners:
                return None
    last = drugs[-1]
    strengths = [
        e for e in in_request
        if e.label_ == "STRENGTH" and drugs[0].start < e.start and (e.start < last.start or e.start - last.end <= 2)
    ]
    parsed = [parse_strength(e.text) for e in strengths]
    units = {p[1] for p in parsed if p}
    result: Dict = {
        "drug": [drugs[0].start_char, last.end_char],
        "drug_text": "/".join(" ".join(d.text.split()) for d in drugs),
        "drug_name": "/".join(d._.norm or d.text.lower() for d in drugs),
    }
    if strengths and len(units) == 1 and all(parsed):
        result.update({
            "strength": [strengths[0].start_char, strengths[-1].end_char],
            "strength_text": "/".join(e.text for e in strengths),
            "strength_values": [v for p in parsed for v in p[0]],
            "strength_unit": units.pop(),
        })
    return result


def _rng(span: Optional[Span]) -> Optional[List[int]]:
    return None if span is None else [span.start_char, span.end_char]


def link_item(doc: Doc, text: str, ents: Sequence[Span], heading: Range, decision: Optional[str], block: Range, style: Style, rules: ItemRules) -> Dict:
    """One item dict: request parts, citations and rationale of one item block (``text`` is doc.text)."""
    request, modification = split_partial(text, heading[0], heading[1], rules)
    in_request = _ents_within(ents, *request)
    first = {label: next((e for e in in_request if e.label_ == label), None) for label in _ITEM_LABELS}
    drug = first["DRUG"]
    strength = first["STRENGTH"]
    if drug is not None:
        strength = next((e for e in in_request if e.label_ == "STRENGTH" and e.start >= drug.end), strength)
    quantity = first["QUANTITY"]
    if quantity is None and drug is None and first["TREATMENT"] is not None:
        quantity = quantity_around(doc, first["TREATMENT"], rules.session_nouns)
    mixture = compound(doc, in_request, rules.compound_joiners)
    parts = find_parts(text, heading[1], block[1], style)
    guidelines: List[Dict] = []
    for party in ("claims_administrator", "reviewer"):
        if party not in parts:
            continue
        p_start, p_end = parts[party]
        mentions = [(e.start_char, e.end_char, e._.norm) for e in _ents_within(ents, p_start, p_end) if e.label_ == "GUIDELINE"]
        for citation in parse_citations(text, p_start, p_end, mentions, rules.citations):
            guidelines.append({"cited_by": party, **citation})
    rationale = parts.get("rationale")
    conclusion: Optional[bool] = None
    if rationale is not None:
        for ent in _ents_within(ents, *rationale):
            if ent.label_ == "DECISION" and ent._.norm in rules.conclusion:
                conclusion = rules.conclusion[ent._.norm]
    request_text = " ".join(text[request[0] : request[1]].split())
    warnings: List[str] = []
    expected = {"upheld": False, "overturned": True}.get(decision or "")
    medically_necessary = conclusion
    if decision is None:
        warnings.append(Warnings.W003.format(request=request_text))
    if conclusion is None:
        medically_necessary = expected
        if rationale is not None:
            warnings.append(Warnings.W002.format(request=request_text))
    elif expected is not None and conclusion != expected:
        said = "is medically necessary" if conclusion else "is not medically necessary"
        warnings.append(Warnings.W001.format(request=request_text, decision=decision, conclusion=said))
    item = {
        "request": list(request),
        "decision": decision,
        "medically_necessary": medically_necessary,
        "drug": _rng(drug),
        "strength": _rng(strength),
        "quantity": _rng(quantity),
        "treatment": _rng(first["TREATMENT"]) if drug is None else None,
        "guidelines": guidelines,
        "rationale": list(rationale) if rationale else None,
        "ur_modification": {k: list(v) for k, v in modification.items()} if modification else None,
        "warnings": warnings,
    }
    if mixture:
        item.update(mixture)
    return item


def _section(doc: Doc, label: str, spans_key: str) -> Optional[Span]:
    return next((s for s in doc.spans.get(spans_key, []) if s.label_ == label), None)


def find_items(doc: Doc, style: Style, rules: ItemRules, spans_key: str = "sections") -> List[Dict]:
    """All decided items of a doc written in ``style``."""
    text = text_of(doc)
    ents = list(doc.ents)
    decisions = _section(doc, "decisions", spans_key)
    items: List[Dict] = []
    if style.name == "decision-heading":
        if decisions is None:
            return items
        lo, hi = decisions.start_char, decisions.end_char
        cues = list(style.cue.finditer(text, lo, hi))
        starts: List[int] = []
        floor = text.find("\n", lo, hi) + 1 or lo
        for cue in cues:
            starts.append(heading_start(text, floor, cue.start(), rules))
            floor = cue.end()
        for k, cue in enumerate(cues):
            block_end = starts[k + 1] if k + 1 < len(cues) else hi
            heading = _strip(text, starts[k], cue.start())
            decision = style.decisions.get(cue.group("decision").lower())
            items.append(link_item(doc, text, ents, heading, decision, (starts[k], block_end), style, rules))
        return items
    # Styles whose decision is a sentence ("has determined the request for X is not
    # medically necessary"): one item per sentence; the per-item discussion, when
    # the layout numbers it, is the block under the same number.
    lo, hi = (decisions.start_char, decisions.end_char) if decisions is not None else (0, len(text))
    seen: Dict[str, int] = {}
    for cue in style.cue.finditer(text):
        request = _strip(text, cue.start("request"), cue.end("request"))
        key = " ".join(text[request[0] : request[1]].lower().split())
        if key in seen:
            continue
        seen[key] = len(items)
        decision = style.decisions.get(cue.group("decision").lower())
        block = (cue.end(), cue.end())
        number = cue.groupdict().get("number")
        if style.item_heading and number:
            head = re.compile(style.item_heading.replace("{number}", re.escape(number)))
            m = head.search(text, lo, hi)
            if m:
                nxt = re.compile(style.item_heading.replace("{number}", r"\d+")).search(text, m.end(), hi)
                block = (m.start(), nxt.start() if nxt else hi)
        item = link_item(doc, text, ents, request, decision, (request[1], block[1]) if block[0] == cue.end() else block, style, rules)
        items.append(item)
    return items


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

    def __call__(self, doc: Doc) -> Doc:
        if self._rules is None:
            raise ValueError(Errors.E301.format(name=self.name))
        rules = self._rules
        style = rules.styles[rules.layout_styles.get(doc._.layout, rules.layout_styles["unknown"])]
        items = find_items(doc, style, rules, self.spans_key)
        warnings: List[str] = []
        if style.name == "decision-heading" and _section(doc, "decisions", self.spans_key) is None:
            warnings.append(Warnings.W005)
        if style.name == "sentence":
            warnings.append(Warnings.W004)
        doc._.items = items
        doc._.warnings = warnings
        return doc
