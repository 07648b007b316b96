"""What belongs to one item: its drug, strength, quantity or treatment, its
guideline citations, and its rationale's conclusion.

``link_item`` turns one item block into a plain dict whose offsets index the
doc's text. The wording comes from patterns/items.json through ``ItemRules``.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Pattern, Sequence, Tuple

from spacy.tokens import Doc, Span

from .citations import CitationRules, compile_citation_rules, parse_citations
from .errors import Errors, Warnings
from .headings import Range, split_partial, strip_range
from .normalize import parse_strength

_ITEM_LABELS = ("DRUG", "STRENGTH", "QUANTITY", "TREATMENT")
DECISION_MEANS = {"upheld": False, "overturned": True}


class Style:
    """One way of writing items (see patterns/items.json)."""

    def __init__(self, name: str, data: Dict) -> None:
        self.name = name
        self.kind: str = data["kind"]
        if self.kind not in ("heading", "sentence"):
            raise KeyError(f"styles.{name}.kind must be 'heading' or 'sentence'")
        self.cue: Pattern = re.compile(data["cue"])
        self.decisions: Dict[str, str] = {" ".join(k.lower().split()): v for k, v in data["decisions"].items()}
        self.item_heading: Optional[str] = data.get("item_heading")
        self.any_item_heading: Optional[Pattern] = (
            re.compile(self.item_heading.replace("{number}", r"\d+")) if self.item_heading else None
        )

    def decision(self, word: str) -> Optional[str]:
        return self.decisions.get(" ".join(word.lower().split()))

    def numbered_heading(self, number: str) -> Optional[Pattern]:
        """The heading of item ``number`` ("2) "), if the style numbers its items."""
        return re.compile(self.item_heading.replace("{number}", re.escape(number))) if self.item_heading else None


class ItemRules:
    """Compiled patterns/items.json."""

    def __init__(self, data: Dict) -> None:
        try:
            self.styles = {name: Style(name, spec) for name, spec in data["styles"].items()}
            self.layout_styles: Dict[str, List[str]] = {k: list(v) for k, v in data["layout_styles"].items()}
            for names in self.layout_styles.values():
                for name in names:
                    if name not in self.styles:
                        raise KeyError(f"layout_styles names an unknown style '{name}'")
            self.parts: Dict[str, Pattern] = {k: re.compile(v) for k, v in data["parts"].items()}
            self.continuation = re.compile(data["heading"]["continuation"], re.I)
            self.section_intro = re.compile(data["heading"]["section_intro"], re.I)
            self.enumerator = re.compile(data["heading"]["enumerator"], re.I)
            self.partial = [re.compile(rx, re.S) for rx in data["partial_authorization"]]
            self.citations: CitationRules = compile_citation_rules(data["citations"])
            self.conclusion: Dict[str, bool] = dict(data["conclusion"])
            self.compound_joiners = frozenset(data["compound_joiners"])
            self.preferred_quantity = re.compile(data["preferred_quantity"], re.I)
            self.procedure_drugs = frozenset(name.lower() for name in data["procedure_drugs"])
        except (KeyError, TypeError, re.error) as err:
            raise ValueError(Errors.E303.format(reason=f"items: {err}")) from err

    def styles_for(self, layout: str) -> List[Style]:
        names = self.layout_styles.get(layout) or self.layout_styles["unknown"]
        return [self.styles[n] for n in names]


def find_parts(text: str, start: int, end: int, parts: Dict[str, Pattern]) -> Dict[str, Range]:
    """Spans of the labelled parts (guidelines, rationale) of an item block."""
    found: List[Tuple[int, int, str]] = []
    for name, rx in parts.items():
        m = rx.search(text, start, end)
        if m:
            found.append((m.start(), m.end(), name))
    found.sort()
    spans: Dict[str, Range] = {}
    for i, (_, label_end, name) in enumerate(found):
        part_end = found[i + 1][0] if i + 1 < len(found) else end
        spans[name] = strip_range(text, label_end, part_end)
    return spans


def ents_within(ents: Sequence[Span], start: int, end: int) -> List[Span]:
    return [e for e in ents if start <= e.start_char and e.end_char <= end]


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
        "drug_ids": _joined_ids(drugs),
    }
    if strengths and len(units) == 1 and all(parsed):
        result.update({
            "strength": [strengths[0].start_char, strengths[-1].end_char],
            "strength_text": "/".join(e.text for e in strengths),
            "strength_values": [v for p in parsed for v in p[0]],
            "strength_unit": units.pop(),
        })
    return result


def item_citations(text: str, ents: Sequence[Span], parts: Dict[str, Range], rules: CitationRules) -> List[Dict]:
    """The citations of both parties; a reviewer who adopts the claims administrator's
    guidelines ("found the guideline relied upon by the Claims Administrator relevant")
    cites them too."""
    cited: Dict[str, List[Dict]] = {}
    for party in ("claims_administrator", "reviewer"):
        if party not in parts:
            continue
        p_start, p_end = parts[party]
        if party == "reviewer" and rules.adopts_claims_administrator.search(text, p_start, p_end):
            cited[party] = [dict(c) for c in cited.get("claims_administrator", [])]
            continue
        mentions = [(e.start_char, e.end_char, e._.norm) for e in ents_within(ents, p_start, p_end) if e.label_ == "GUIDELINE"]
        cited[party] = parse_citations(text, p_start, p_end, mentions, rules)
    return [{"cited_by": party, **c} for party, found in cited.items() for c in found]


def _joined_ids(drugs: Sequence[Span]) -> Optional[Dict[str, List[Optional[str]]]]:
    """The ids of several drugs' ingredients, in order (None where a drug has none)."""
    if not any(d._.ids for d in drugs):
        return None
    joined: Dict[str, List[Optional[str]]] = {"drugbank": [], "mesh": []}
    for d in drugs:
        n = len((d._.norm or "").split("/"))
        ids = d._.ids or {}
        for key in joined:
            joined[key].extend(ids.get(key) or [None] * n)
    return joined


def _rng(span: Optional[Span]) -> Optional[List[int]]:
    return None if span is None else [span.start_char, span.end_char]


def _conclusion(ents: Sequence[Span], rationale: Optional[Range], rules: ItemRules) -> Optional[bool]:
    """The last conclusion on medical necessity stated in the rationale."""
    conclusion: Optional[bool] = None
    if rationale is not None:
        for ent in ents_within(ents, *rationale):
            if ent.label_ == "DECISION" and ent._.norm in rules.conclusion:
                conclusion = rules.conclusion[ent._.norm]
    return conclusion


def link_item(doc: Doc, text: str, ents: Sequence[Span], heading: Range, decision: Optional[str], block: Range, rules: ItemRules) -> Dict:
    """One item dict: request parts, citations and rationale (``text`` is the doc's text)."""
    request, modification = split_partial(text, heading[0], heading[1], rules.partial)
    in_request = ents_within(ents, *request)
    first = {label: next((e for e in in_request if e.label_ == label), None) for label in _ITEM_LABELS}
    lead = next((e for e in in_request if e.label_ in ("DRUG", "TREATMENT")), None)
    # "Botox injections": a drug given as a procedure makes the item a procedure, with
    # no drug and no strength of its own.
    procedure = lead is not None and lead.label_ == "DRUG" and (lead._.norm or "").lower() in rules.procedure_drugs
    drug = first["DRUG"] if lead is not None and lead.label_ == "DRUG" and not procedure else None
    strength = None if procedure else first["STRENGTH"]
    if drug is not None:
        strength = next((e for e in in_request if e.label_ == "STRENGTH" and e.start >= drug.end), strength)
    quantities = [e for e in in_request if e.label_ == "QUANTITY"]
    quantity = next((q for q in quantities if rules.preferred_quantity.search(q.text)), first["QUANTITY"])
    parts = find_parts(text, block[0], block[1], rules.parts)
    guidelines = item_citations(text, ents, parts, rules.citations)
    rationale = parts.get("rationale")
    conclusion = _conclusion(ents, rationale, rules)
    request_text = " ".join(text[request[0] : request[1]].split())
    warnings: List[str] = []
    expected = DECISION_MEANS.get(decision or "")
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
    for ent in in_request:
        if ent.label_ == "DRUG" and ent._.fuzzy:
            warnings.append(Warnings.W006.format(request=request_text, text=ent.text, name=ent._.norm, matched=ent._.fuzzy))
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
    mixture = compound(doc, in_request, rules.compound_joiners) if drug is not None else None
    if mixture:
        item.update(mixture)
    return item
