"""Records in comparable form: gold and predicted fields, item matching.

``gold_form`` puts a pipeline record in the form of the hand-written
``*.expected.json`` records; ``derive_record`` builds that form from an annotated
line's spans and relations (for letters without a hand-written record);
``item_fields``/``letter_fields`` list what is scored and ``match_items`` pairs
gold and predicted items by normalized request.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from .annotations import CASE_FIELDS, ITEM, PARTIES, PARTY_RELATION, Key
from .citations import NON_MTUS
from .links import DECISION_MEANS
from .text import OffsetMap


# --------------------------------------------------------------------------- records


def norm_request(text: str) -> str:
    """A request's matching key: lower case, punctuation other than %#./- dropped, spaces
    collapsed, a word broken at a line-end hyphen joined ("post-\nmyelogram")."""
    text = re.sub(r"(?<=\w)-\s+(?=\w)", "-", text.lower())
    return " ".join(re.sub(r"[^\w%#./-]+", " ", text).split()).strip(" .-")


def _norm_text(text: Optional[str]) -> Optional[str]:
    return None if text is None else " ".join(text.lower().split()).strip(" .,;:")


def gold_form(record: Dict) -> Dict:
    """A pipeline record in the hand-written gold form (``*.expected.json``), plus pages."""
    items = []
    for item in record.get("items", []):
        strength = item.get("strength")
        mod = item.get("ur_modification")
        items.append({
            "request": item["request"],
            "decision": item.get("decision"),
            "medically_necessary": item.get("medically_necessary"),
            "drug": (item.get("drug") or {}).get("name"),
            "strength": None if not strength else {"values": list(strength.get("values") or []), "unit": strength.get("unit")},
            "quantity": (item.get("quantity") or {}).get("value"),
            "guideline_sources": {p: [g["source"] for g in item.get("guidelines", []) if g["cited_by"] == p] for p in PARTIES},
            "guideline_pages": {p: [g.get("pages") for g in item.get("guidelines", []) if g["cited_by"] == p] for p in PARTIES},
            "ur_modification": None if not mod else {"original_request": mod.get("original"), "authorized": mod.get("authorized")},
            "page": item.get("page"),
        })
    return {
        "layout": record.get("layout"),
        "patient": record.get("patient"),
        "reviewer": record.get("reviewer"),
        "case": record.get("case"),
        "items": items,
    }


def page_of(text: str, offset: int) -> int:
    """The 1-based page of ``offset`` (pages are separated by form feeds)."""
    return text.count("\f", 0, offset) + 1


def _lexicon(nlp: Optional[Language]) -> Callable[[str, str], Optional[str]]:
    """norm(text, label): the pipeline's canonical value for a span's text, or None."""
    cache: Dict[Tuple[str, str], Optional[str]] = {}
    names = [n for n in ("entity_ruler", "imr_regex_ruler", "imr_normalizer") if nlp is not None and nlp.has_pipe(n)]

    def norm(text: str, label: str) -> Optional[str]:
        if nlp is None or not names:
            return None
        if (text, label) not in cache:
            doc = nlp.make_doc(text)
            for name in names:
                doc = nlp.get_pipe(name)(doc)
            found = [e for e in doc.ents if e.label_ == label]
            cache[(text, label)] = "/".join(e._.norm or e.text.lower() for e in found) if found else None
        return cache[(text, label)]

    return norm


SpanNorm = Callable[[Dict, str], Optional[str]]


def span_norms(
    nlp: Optional[Language], doc: Optional[Doc] = None, *, lexicon: Optional[Callable[[str, str], Optional[str]]] = None
) -> SpanNorm:
    """norm(span, span_text): the pipeline's value for an annotated span.

    The value of the doc's entity with the same offsets and label where there is
    one (``doc`` processed from the same text), else the lexicon's for the text
    (``lexicon``, shared between calls so that its cache is; by default a new one).
    """
    if lexicon is None:
        lexicon = _lexicon(nlp)
    known: Dict[Key, Optional[str]] = {}
    if doc is not None:
        offsets = OffsetMap(doc._.source_map)
        known = {(*offsets.span(e.start_char, e.end_char), e.label_): e._.norm for e in doc.ents}

    def norm(span: Dict, text: str) -> Optional[str]:
        k = (span["start"], span["end"], span["label"])
        value = known.get(k)
        return value if value is not None else lexicon(text, span["label"])

    return norm


def item_conclusions(nlp: Language) -> Dict[str, bool]:
    """The pipeline's conclusion norms and what each says of medical necessity."""
    return dict(nlp.get_pipe("imr_items").rules.conclusion)


def derive_record(
    example: Dict,
    nlp: Optional[Language] = None,
    norm: Optional[SpanNorm] = None,
    *,
    conclusions: Optional[Dict[str, bool]] = None,
) -> Dict:
    """The gold-form record read from a line's spans and relations alone (no gold record).

    Items: the request is the ITEM span's text; drug names, guideline sources and
    decisions are the pipeline's values for the linked spans (``span_norms``);
    strengths and quantities are parsed from the linked spans' text; the conclusion
    is the last DECISION span inside the rationale (else the decision word's
    meaning; ``conclusions`` maps a DECISION norm to it, by default the pipeline's,
    ``item_conclusions(nlp)``); the page counts the form feeds before the ITEM span. A guideline
    cited for two chapters has one relation and so counts once. Of the letter's
    fields only the layout (from ``meta``) is given.
    """
    from .normalize import parse_quantity, parse_strength

    norm = norm or span_norms(nlp)
    if conclusions is None:
        if nlp is None:
            raise ValueError("derive_record needs the pipeline (nlp) or its conclusions")
        conclusions = item_conclusions(nlp)
    # a DECISION span's norm → the decision: the decision words, and a conclusion
    # ("not medically necessary") read as the decision that means it
    decision_for = {means: decision for decision, means in DECISION_MEANS.items()}
    decision_of = {decision: decision for decision in DECISION_MEANS}
    decision_of.update({said: decision_for[means] for said, means in conclusions.items()})
    text = example["text"]
    spans = example["spans"]
    children: Dict[int, List[Tuple[str, int]]] = defaultdict(list)
    for rel in example.get("relations") or []:
        children[rel["head"]].append((rel["label"], rel["child"]))

    def span_text(s: Dict) -> str:
        return " ".join(text[s["start"] : s["end"]].split())

    def value(s: Dict) -> Optional[str]:
        return norm(s, span_text(s))

    decisions = sorted((s for s in spans if s["label"] == "DECISION"), key=lambda s: s["start"])
    items = []
    for i, span in enumerate(spans):
        if span["label"] != ITEM:
            continue
        kids = children.get(i, [])

        def of(label: str) -> List[Dict]:
            return [spans[c] for r, c in kids if r == label]

        decision = None
        for d in of("HAS_DECISION"):
            decision = decision_of.get(value(d) or "")
        conclusion = None
        for r in of("HAS_RATIONALE"):
            for d in decisions:
                if r["start"] <= d["start"] and d["end"] <= r["end"]:
                    found = conclusions.get(value(d) or "")
                    conclusion = found if found is not None else conclusion
        drugs = [value(d) or span_text(d).lower() for d in of("HAS_DRUG")]
        strengths = of("HAS_STRENGTH")
        strength = None
        if strengths:
            parsed = [parse_strength(span_text(s)) for s in strengths]
            units = {p[1] for p in parsed if p}
            ok = all(parsed) and len(units) == 1
            strength = {"values": [v for p in parsed for v in p[0]] if ok else [], "unit": units.pop() if ok else None}
        quantities = [parse_quantity(span_text(q)) for q in of("HAS_QUANTITY")]
        items.append({
            "request": span_text(span),
            "decision": decision,
            "medically_necessary": conclusion if conclusion is not None else DECISION_MEANS.get(decision or ""),
            "drug": "/".join(drugs) if drugs else None,
            "strength": strength,
            "quantity": quantities[0] if quantities else None,
            "guideline_sources": {p: [value(g) or NON_MTUS for g in of(PARTY_RELATION[p])] for p in PARTIES},
            "page": page_of(text, span["start"]),
        })
    record: Dict = {"items": items}
    layout = (example.get("meta") or {}).get("layout")
    if layout:
        record["layout"] = layout
    return record


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (a == b and type(a) is type(b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 1e-9
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _mod_form(mod: Optional[Dict]) -> Optional[Tuple]:
    if not mod:
        return None
    return (_norm_text(mod.get("original_request", mod.get("original"))), _norm_text(mod.get("authorized")))


def item_fields(item: Dict) -> Dict[str, object]:
    """The scored fields of a gold-form item (only those it states)."""
    fields: Dict[str, object] = {}
    for name in ("drug", "quantity", "decision", "medically_necessary", "page"):
        if name in item:
            fields[name] = item[name]
    if "strength" in item:
        s = item["strength"]
        fields["strength"] = None if not s else {"values": list(s.get("values") or []), "unit": s.get("unit")}
    for group in ("guideline_sources", "guideline_pages"):
        for party in PARTIES:
            if party in (item.get(group) or {}):
                fields[f"{group}.{party}"] = list(item[group][party])
    if "ur_modification" in item:
        fields["ur_modification"] = _mod_form(item["ur_modification"])
    return fields


ITEM_FIELDS = (
    "drug", "strength", "quantity", "decision", "medically_necessary",
    "guideline_sources.claims_administrator", "guideline_sources.reviewer",
    "page", "guideline_pages.claims_administrator", "guideline_pages.reviewer", "ur_modification",
)
LETTER_FIELDS = (
    "layout", "reviewer.specialties", "reviewer.licensure_states", "patient.age", "patient.sex",
    *(f"case.{f}" for f in CASE_FIELDS),
)


def letter_fields(record: Dict) -> Dict[str, object]:
    fields: Dict[str, object] = {}
    if "layout" in record:
        fields["layout"] = record["layout"]
    for group, names in (("reviewer", ("specialties", "licensure_states")), ("patient", ("age", "sex")), ("case", CASE_FIELDS)):
        part = record.get(group)
        if isinstance(part, dict):
            for name in names:
                if name in part:
                    fields[f"{group}.{name}"] = part[name]
    return fields


def match_items(gold: Sequence[Dict], pred: Sequence[Dict]) -> List[Tuple[int, int]]:
    """(gold index, predicted index) pairs of items with the same normalized request, one to one."""
    free: Dict[str, List[int]] = defaultdict(list)
    for j, item in enumerate(pred):
        free[norm_request(item["request"])].append(j)
    pairs = []
    for i, item in enumerate(gold):
        candidates = free.get(norm_request(item["request"]))
        if candidates:
            pairs.append((i, candidates.pop(0)))
    return pairs


