"""Scoring the pipeline against the annotated corpus, and the corpus's annotation form.

An annotated line (``corpus/README.md``, ``corpus/schema.json``) is a Prodigy-style
dict: ``text``, ``meta``, ``spans`` (``start``/``end`` index the letter's text as
read, ``text[start:end]``) and ``relations`` from an ITEM span to its parts
(``head``/``child`` index ``spans``), and optionally the gold ``record`` in the
hand-written ``*.expected.json`` form.

This module holds plain functions:

* the annotation form of a processed doc (``doc_annotations``: the same spans and
  links the record is built from, in the caller's offsets);
* checks of an annotated line (``check_example``);
* scores: entities per label, exact and overlapping (``score_spans``); relations
  per label (``score_relations``), end to end and with the gold entities given to
  the pipeline's own item linker (``link_gold_entities``); records (``score_records``:
  items matched by normalized request, then per-field accuracy);
* ``evaluate`` (all of it for a list of lines and a pipeline) and ``format_metrics``
  (a readable table).

Every result is a JSON-serializable dict.
"""
from __future__ import annotations

import json

import hashlib
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .extensions import text_of
from .text import OffsetMap

ENTITY_LABELS = (
    "DRUG", "STRENGTH", "QUANTITY", "DURATION", "DATE", "DECISION", "GUIDELINE",
    "SPECIALTY", "STATE", "TREATMENT", "AGE", "SEX",
)
ITEM = "ITEM"
RATIONALE = "RATIONALE"
SPAN_LABELS = ENTITY_LABELS + (ITEM, RATIONALE)
# Relation label -> the label its child span must have (the head is always an ITEM).
RELATION_CHILD = {
    "HAS_DRUG": "DRUG",
    "HAS_STRENGTH": "STRENGTH",
    "HAS_QUANTITY": "QUANTITY",
    "HAS_TREATMENT": "TREATMENT",
    "HAS_DECISION": "DECISION",
    "CITED_BY_CLAIMS_ADMINISTRATOR": "GUIDELINE",
    "CITED_BY_REVIEWER": "GUIDELINE",
    "HAS_RATIONALE": RATIONALE,
}
RELATION_LABELS = tuple(RELATION_CHILD)
PARTIES = ("claims_administrator", "reviewer")
PARTY_RELATION = {"claims_administrator": "CITED_BY_CLAIMS_ADMINISTRATOR", "reviewer": "CITED_BY_REVIEWER"}
# The item parts that are entity ranges in doc._.items, with their relation.
_PART_RELATION = (("drug", "HAS_DRUG"), ("strength", "HAS_STRENGTH"), ("quantity", "HAS_QUANTITY"), ("treatment", "HAS_TREATMENT"))
# A span layer: spans of one layer may not overlap each other.
LAYERS = {**{label: "entity" for label in ENTITY_LABELS}, ITEM: "item", RATIONALE: "rationale"}
# The item's decision word or phrase follows its request within this many characters
# ("Norco 10/325mg #120: Upheld", "... carpal tunnel release is medically necessary").
_DECISION_REACH = 40
# Trimmed from the edges of a span drawn over an outside source's citation.
_TRIM = frozenset(" \n\t\r\f,;:.()[]-")
_LEADING_WORDS = ("and ", "the ")
NON_MTUS = "Non-MTUS"
_REFERENCE_TAIL = re.compile(r"[\s,;]*(?:(?:which|that)\s+(?:is|are)\s+(?:not\s+)?part\s+of|(?:outside|not\s+in)(?:\s+of)?)(?:\s+the)?\s*$", re.I)
_DECISION_MEANS = {"upheld": False, "overturned": True}
_CONCLUSION = {"medically necessary": True, "not medically necessary": False}
_DECISION_OF_NORM = {
    "upheld": "upheld", "overturned": "overturned",
    "not medically necessary": "upheld", "medically necessary": "overturned",
}
CASE_FIELDS = ("case_number", "date_assigned", "decision_date", "date_of_injury", "ur_decision_date", "application_date")

Key = Tuple[int, int, str]  # (start, end, label) in the caller's text


class AnnotationError(ValueError):
    """A malformed annotated line; the message names the letter and the span."""


# --------------------------------------------------------------------------- offsets


class SourceOffsets:
    """Offsets between a doc's (normalized) text and the caller's original text."""

    def __init__(self, doc: Doc) -> None:
        segs = list(doc._.source_map or ())
        self.map = OffsetMap(segs)
        self._segs = [tuple(segs[i : i + 4]) for i in range(0, len(segs), 4)]
        self._src_starts = [s[1] for s in self._segs]

    def to_source(self, start: int, end: int) -> Tuple[int, int]:
        return self.map.span(start, end)

    def _doc_pos(self, pos: int, is_end: bool) -> int:
        if not self._segs:
            return pos
        probe = pos - 1 if is_end and pos > 0 else pos
        i = max(bisect_right(self._src_starts, probe) - 1, 0)
        n_start, s_start, n_len, s_len = self._segs[i]
        if n_len == s_len:
            return n_start + max(0, min(pos - s_start, n_len))
        return n_start + n_len if is_end else n_start

    def to_doc(self, start: int, end: int) -> Tuple[int, int]:
        """Doc (start, end) of the original span [start, end)."""
        d_start = self._doc_pos(start, False)
        return d_start, max(self._doc_pos(end, True), d_start)


# --------------------------------------------------------------------------- doc -> annotations


def _ent_norms(doc: Doc) -> Dict[Tuple[int, int], Span]:
    return {(e.start_char, e.end_char): e for e in doc.ents}


def _within(ents: Sequence[Span], start: int, end: int, label: str) -> List[Span]:
    return [e for e in ents if e.label_ == label and start <= e.start_char and e.end_char <= end]


def _overlaps(ents: Sequence[Span], start: int, end: int) -> bool:
    return any(e.start_char < end and start < e.end_char for e in ents)


def _decision_span(doc: Doc, ents: Sequence[Span], request_end: int) -> Optional[Span]:
    """The item's decision word or phrase: the first DECISION entity just after its request."""
    text = text_of(doc)
    for ent in ents:
        if ent.label_ != "DECISION" or ent.start_char < request_end:
            continue
        if ent.start_char - request_end > _DECISION_REACH or "\n\n" in text[request_end : ent.start_char]:
            return None
        return ent
    return None


def item_links(doc: Doc) -> Dict:
    """The spans of a processed doc and the links of each item, in the caller's offsets.

    Returns ``{"entities": [key], "extra": [key], "items": [links], "problems": [str]}``
    with keys ``(start, end, label)``. ``entities`` are the doc's entities (the
    record's ``entities``). An item's links are ``{"index", "request", "item": key,
    "rationale": key|None, "parts": [{"relation", "key", "field", "source"?}]}``,
    ``field`` naming the record field the part stands for (drug, strength,
    quantity, treatment, decision, claims_administrator, reviewer). A part that is
    no entity (the count in "Eight physical therapy sessions", an outside source
    the lexicon does not name) gets a span of its own in ``extra``, cut to the
    longest stretch free of other entities; one that cannot is a problem.
    """
    offsets = SourceOffsets(doc)
    text = text_of(doc)
    ents = list(doc.ents)
    entity_keys = [(*offsets.to_source(e.start_char, e.end_char), e.label_) for e in ents]
    extra: List[Key] = []
    problems: List[str] = []
    items: List[Dict] = []

    def key(start: int, end: int, label: str) -> Key:
        return (*offsets.to_source(start, end), label)

    def free_run(start: int, end: int) -> Tuple[int, int]:
        """The longest stretch of [start, end) that overlaps no entity, trimmed."""
        cuts = sorted((max(e.start_char, start), min(e.end_char, end)) for e in ents if e.start_char < end and start < e.end_char)
        best, pos = (start, start), start
        for c_start, c_end in cuts + [(end, end)]:
            if c_start - pos > best[1] - best[0]:
                best = (pos, c_start)
            pos = max(pos, c_end)
        s, e = best
        close = text.find(")", s, e)
        if close >= 0 and "(" not in text[s:close]:  # "...) prescribing information": after the bracket
            s = close + 1
        while s < e and (text[s] in _TRIM or text.startswith(_LEADING_WORDS, s)):
            s += next((len(w) for w in _LEADING_WORDS if text.startswith(w, s)), 1)
        while e > s and text[e - 1] in _TRIM:
            e -= 1
        return s, e

    def own_span(start: int, end: int, label: str, relation: str, request: str) -> List[Key]:
        if end > start and _overlaps(ents, start, end) and label == "GUIDELINE":
            start, end = free_run(start, end)
        if end > start and not _overlaps(ents, start, end):
            k = key(start, end, label)
            extra.append(k)
            return [k]
        s, e = offsets.to_source(start, end)
        problems.append(f"item '{request}': no span for its {relation} part [{s}:{e}]")
        return []

    def part_keys(rng: Sequence[int], label: str, relation: str, request: str) -> List[Key]:
        start, end = rng
        inside = _within(ents, start, end, label)
        if inside:
            return [key(e.start_char, e.end_char, label) for e in inside]
        if label == "QUANTITY":  # "Eight physical therapy sessions": the count before the treatment
            treatment = _within(ents, start, end, "TREATMENT")
            if treatment and treatment[0].start_char > start:
                end = treatment[0].start_char
                while end > start and text[end - 1].isspace():
                    end -= 1
        return own_span(start, end, label, relation, request)

    for index, item in enumerate(doc._.items or []):
        req = item["request"]
        request = " ".join(text[req[0] : req[1]].split())
        item_key = key(req[0], req[1], ITEM)
        parts: List[Dict] = []
        for field, relation in _PART_RELATION:
            rng = item.get(field)
            if rng:
                for k in part_keys(rng, RELATION_CHILD[relation], relation, request):
                    parts.append({"relation": relation, "key": k, "field": field})
        decision = _decision_span(doc, ents, req[1])
        if decision is not None:
            parts.append({"relation": "HAS_DECISION", "key": key(decision.start_char, decision.end_char, "DECISION"), "field": "decision"})
        elif item.get("decision") is not None:
            problems.append(f"item '{request}': no DECISION entity follows the request")
        named_before: Dict[Tuple[str, str], Key] = {}
        for g in item.get("guidelines") or []:
            relation = PARTY_RELATION[g["cited_by"]]
            cite = {"relation": relation, "field": g["cited_by"], "source": g["source"]}
            mentions = _within(ents, g["start"], g["end"], "GUIDELINE")
            named = [m for m in mentions if m._.norm == g["source"]]
            if not named and mentions and g["source"] not in (NON_MTUS,):
                named = mentions
            if not named and mentions:
                # An outside source that mentions a guideline only to refer to it
                # ("..., which is not part of the MTUS"): the source is what comes before.
                end = mentions[0].start_char
                m = _REFERENCE_TAIL.search(text, g["start"], end)
                end = m.start() if m else end
                if end > g["start"]:
                    for k in own_span(g["start"], end, "GUIDELINE", relation, request):
                        parts.append({**cite, "key": k})
                    continue
                named = mentions
            if named:
                k = key(named[0].start_char, named[0].end_char, "GUIDELINE")
                parts.append({**cite, "key": k})
                named_before[(g["cited_by"], g["source"])] = k
            elif (g["cited_by"], g["source"]) in named_before:
                # "MTUS Neck and Upper Back Complaints ..., and Low Back Complaints ...":
                # a further chapter of a guideline named earlier in the paragraph.
                parts.append({**cite, "key": named_before[(g["cited_by"], g["source"])]})
            else:
                for k in own_span(g["start"], g["end"], "GUIDELINE", relation, request):
                    parts.append({**cite, "key": k})
        rationale = item.get("rationale")
        rationale_key = key(rationale[0], rationale[1], RATIONALE) if rationale else None
        items.append({"index": index, "request": request, "item": item_key, "rationale": rationale_key, "parts": parts})
    return {"entities": entity_keys, "extra": extra, "items": items, "problems": problems}


def build_annotations(entity_keys: Iterable[Key], items: Iterable[Dict]) -> Tuple[List[Dict], List[Dict]]:
    """Prodigy ``spans`` and ``relations`` from entity keys and item links.

    Spans are sorted by offset (longest first at equal starts); relations follow
    the items in order, each relation once.
    """
    keys = set(entity_keys)
    rels: List[Tuple[Key, Key, str]] = []
    for item in items:
        keys.add(item["item"])
        links = [(part["relation"], part["key"]) for part in item["parts"]]
        if item.get("rationale"):
            keys.add(item["rationale"])
            links.append(("HAS_RATIONALE", item["rationale"]))
        for relation, child in links:
            keys.add(child)
            rels.append((item["item"], child, relation))
    ordered = sorted(keys, key=lambda k: (k[0], -k[1], SPAN_LABELS.index(k[2]) if k[2] in SPAN_LABELS else 99, k[2]))
    index = {k: i for i, k in enumerate(ordered)}
    spans = [{"start": s, "end": e, "label": label} for s, e, label in ordered]
    seen = set()
    relations = []
    for head, child, label in rels:
        if (head, child, label) in seen:
            continue
        seen.add((head, child, label))
        relations.append({"head": index[head], "child": index[child], "label": label})
    return spans, relations


def doc_annotations(doc: Doc) -> Dict:
    """``{"spans", "relations", "problems"}`` of a processed doc, in the caller's offsets."""
    links = item_links(doc)
    spans, relations = build_annotations(links["entities"] + links["extra"], links["items"])
    return {"spans": spans, "relations": relations, "problems": links["problems"]}


# --------------------------------------------------------------------------- Prodigy extras


def prodigy_tokens(nlp: Language, text: str) -> List[Dict]:
    """Prodigy tokens of the original text, with the pipeline's own tokenizer rules."""
    tokenizer = getattr(nlp.tokenizer, "tokenizer", nlp.tokenizer)
    doc = tokenizer(text)
    return [{"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)} for t in doc]


def add_token_indices(spans: List[Dict], tokens: Sequence[Dict]) -> None:
    """Set ``token_start``/``token_end`` (inclusive) on the spans whose edges are token edges."""
    starts = {t["start"]: t["id"] for t in tokens}
    ends = {t["end"]: t["id"] for t in tokens}
    for span in spans:
        span.pop("token_start", None)
        span.pop("token_end", None)
        if span["start"] in starts and span["end"] in ends:
            span["token_start"] = starts[span["start"]]
            span["token_end"] = ends[span["end"]]


def add_relation_spans(example: Dict) -> None:
    """Copy each relation's head and child span into ``head_span``/``child_span`` (Prodigy's keys)."""
    spans = example["spans"]
    for rel in example.get("relations", []):
        rel["head_span"] = dict(spans[rel["head"]])
        rel["child_span"] = dict(spans[rel["child"]])


def split_of(name: str, seed: str, weights: Sequence[Tuple[str, float]] = (("train", 0.70), ("dev", 0.15), ("test", 0.15))) -> str:
    """A fixed split for ``name``: a seeded SHA-256 hash of the name against cumulative weights."""
    digest = hashlib.sha256(f"{seed}:{name}".encode("utf8")).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    total = 0.0
    for split, weight in weights:
        total += weight
        if u < total:
            return split
    return weights[-1][0]


# --------------------------------------------------------------------------- checks


def check_example(example: Dict, name: Optional[str] = None, *, text_length: Optional[int] = None) -> None:
    """Raise ``AnnotationError`` for a malformed line, naming the letter and the span.

    Spans must lie inside the text, have start < end and a known label; spans of
    one layer (entities, items, rationales) may not overlap; relations must point
    at spans that exist, from an ITEM to a child of the relation's label.
    """
    meta = example.get("meta") or {}
    name = name or meta.get("id") or example.get("case") or "<letter>"
    if text_length is None:
        text_length = len(example["text"]) if "text" in example else None
    spans = example.get("spans") or []

    def show(i: int) -> str:
        s = spans[i]
        return f"span {i} {s.get('label')} [{s.get('start')}:{s.get('end')}]"

    for i, s in enumerate(spans):
        start, end, label = s.get("start"), s.get("end"), s.get("label")
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            raise AnnotationError(f"{name}: {show(i)}: start and end must be integers")
        if label not in SPAN_LABELS:
            raise AnnotationError(f"{name}: {show(i)}: unknown label '{label}' (known: {', '.join(SPAN_LABELS)})")
        if start < 0 or (text_length is not None and end > text_length):
            raise AnnotationError(f"{name}: {show(i)}: out of range (the text has {text_length} characters)")
        if start >= end:
            raise AnnotationError(f"{name}: {show(i)}: start must be less than end")
    by_layer: Dict[str, List[int]] = defaultdict(list)
    for i, s in enumerate(spans):
        by_layer[LAYERS[s["label"]]].append(i)
    for layer, idx in by_layer.items():
        idx = sorted(idx, key=lambda i: (spans[i]["start"], spans[i]["end"]))
        for a, b in zip(idx, idx[1:]):
            if spans[b]["start"] < spans[a]["end"]:
                raise AnnotationError(f"{name}: {show(b)} overlaps {show(a)}; {layer} spans may not overlap")
    for r, rel in enumerate(example.get("relations") or []):
        head, child, label = rel.get("head"), rel.get("child"), rel.get("label")
        for end_name, i in (("head", head), ("child", child)):
            if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(spans):
                raise AnnotationError(f"{name}: relation {r} {label}: its {end_name} {i!r} is not the index of a span (0..{len(spans) - 1})")
        if label not in RELATION_CHILD:
            raise AnnotationError(f"{name}: relation {r}: unknown label '{label}' (known: {', '.join(RELATION_LABELS)})")
        if spans[head]["label"] != ITEM:
            raise AnnotationError(f"{name}: relation {r} {label}: its head {show(head)} is not an ITEM span")
        if spans[child]["label"] != RELATION_CHILD[label]:
            raise AnnotationError(f"{name}: relation {r} {label}: its child {show(child)} is not a {RELATION_CHILD[label]} span")


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


def span_norms(nlp: Optional[Language], doc: Optional[Doc] = None) -> SpanNorm:
    """norm(span, span_text): the pipeline's value for an annotated span.

    The value of the doc's entity with the same offsets and label where there is
    one (``doc`` processed from the same text), else the lexicon's for the text.
    """
    lexicon = _lexicon(nlp)
    known: Dict[Key, Optional[str]] = {}
    if doc is not None:
        offsets = SourceOffsets(doc)
        known = {(*offsets.to_source(e.start_char, e.end_char), e.label_): e._.norm for e in doc.ents}

    def norm(span: Dict, text: str) -> Optional[str]:
        k = (span["start"], span["end"], span["label"])
        value = known.get(k)
        return value if value is not None else lexicon(text, span["label"])

    return norm


def derive_record(example: Dict, nlp: Optional[Language] = None, norm: Optional[SpanNorm] = None) -> Dict:
    """The gold-form record read from a line's spans and relations alone (no gold record).

    Items: the request is the ITEM span's text; drug names, guideline sources and
    decisions are the pipeline's values for the linked spans (``span_norms``);
    strengths and quantities are parsed from the linked spans' text; the conclusion
    is the last DECISION span inside the rationale (else the decision word's
    meaning); the page counts the form feeds before the ITEM span. A guideline
    cited for two chapters has one relation and so counts once. Of the letter's
    fields only the layout (from ``meta``) is given.
    """
    from .normalize import parse_quantity, parse_strength

    norm = norm or span_norms(nlp)
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
            decision = _DECISION_OF_NORM.get(value(d) or "")
        conclusion = None
        for r in of("HAS_RATIONALE"):
            for d in decisions:
                if r["start"] <= d["start"] and d["end"] <= r["end"]:
                    found = _CONCLUSION.get(value(d) or "")
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
            "medically_necessary": conclusion if conclusion is not None else _DECISION_MEANS.get(decision or ""),
            "drug": "/".join(drugs) if drugs else None,
            "strength": strength,
            "quantity": quantities[0] if quantities else None,
            "guideline_sources": {p: [value(g) or "Non-MTUS" for g in of(PARTY_RELATION[p])] for p in PARTIES},
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


def _prf(tp_p: int, n_pred: int, tp_r: int, n_gold: int) -> Dict:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_r / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "gold": n_gold, "pred": n_pred, "tp": tp_r}


def _accuracy(correct: int, total: int) -> Dict:
    return {"correct": correct, "total": total, "accuracy": round(correct / total, 4) if total else None}


def _score_fields(gold: Dict, pred: Dict, scores: Dict[str, List[int]], errors: Dict[str, List[Dict]], where: Dict) -> None:
    """Count the fields the gold states that the prediction gets right; keep a few errors."""
    for name, value in gold.items():
        score = scores.setdefault(name, [0, 0])
        score[1] += 1
        if name in pred and _same(value, pred[name]):
            score[0] += 1
        elif len(errors[name]) < 20:
            errors[name].append({**where, "gold": value, "pred": pred.get(name)})


def score_records(gold_records: Sequence[Dict], pred_records: Sequence[Dict]) -> Dict:
    """Items P/R/F1 (matched by normalized request) and per-field accuracy.

    Both sides are in the gold form (``gold_form``). A field is scored over the
    matched items (or letters) whose gold states it; a missing field is not scored.
    Each item field's ``errors`` lists up to 20 differences.
    """
    n_gold = n_pred = matched = 0
    item_scores: Dict[str, List[int]] = {f: [0, 0] for f in ITEM_FIELDS}
    letter_scores: Dict[str, List[int]] = {f: [0, 0] for f in LETTER_FIELDS}
    errors: Dict[str, List[Dict]] = defaultdict(list)
    for gold, pred in zip(gold_records, pred_records):
        g_items, p_items = gold.get("items", []), pred.get("items", [])
        n_gold += len(g_items)
        n_pred += len(p_items)
        pairs = match_items(g_items, p_items)
        matched += len(pairs)
        for i, j in pairs:
            where = {"letter": gold.get("_id"), "request": g_items[i]["request"]}
            _score_fields(item_fields(g_items[i]), item_fields(p_items[j]), item_scores, errors, where)
        _score_fields(letter_fields(gold), letter_fields(pred), letter_scores, errors, {"letter": gold.get("_id")})
    return {
        "letters": len(gold_records),
        "items": _prf(matched, n_pred, matched, n_gold),
        "item_fields": {name: {**_accuracy(*s), "errors": errors.get(name, [])} for name, s in item_scores.items()},
        "letter_fields": {name: {**_accuracy(*s), "errors": errors.get(name, [])} for name, s in letter_scores.items()},
    }


# --------------------------------------------------------------------------- spans and relations


def _keys(example: Dict, labels: Optional[Iterable[str]] = None) -> List[Key]:
    wanted = set(labels) if labels is not None else None
    return [(s["start"], s["end"], s["label"]) for s in example.get("spans") or [] if wanted is None or s["label"] in wanted]


def score_spans(gold_examples: Sequence[Dict], pred_examples: Sequence[Dict], labels: Sequence[str] = SPAN_LABELS) -> Dict:
    """P/R/F per span label, exact and overlapping, plus ``ALL`` (micro over the entity labels).

    Exact: a predicted span is right when a gold span has the same start, end and
    label. Overlap: a predicted span is right when it overlaps a gold span of its
    label (precision), and a gold span is found when a predicted span of its label
    overlaps it (recall).
    """
    counts = {mode: defaultdict(lambda: [0, 0, 0, 0]) for mode in ("exact", "overlap")}  # tp_p, pred, tp_r, gold
    for gold, pred in zip(gold_examples, pred_examples):
        g_keys, p_keys = set(_keys(gold, labels)), set(_keys(pred, labels))
        g_by: Dict[str, List[Key]] = defaultdict(list)
        p_by: Dict[str, List[Key]] = defaultdict(list)
        for k in g_keys:
            g_by[k[2]].append(k)
        for k in p_keys:
            p_by[k[2]].append(k)
        for label in set(g_by) | set(p_by):
            gs, ps = g_by[label], p_by[label]
            tp = len(set(gs) & set(ps))
            c = counts["exact"][label]
            c[0] += tp
            c[1] += len(ps)
            c[2] += tp
            c[3] += len(gs)
            o = counts["overlap"][label]
            o[0] += sum(1 for p in ps if any(p[0] < g[1] and g[0] < p[1] for g in gs))
            o[1] += len(ps)
            o[2] += sum(1 for g in gs if any(p[0] < g[1] and g[0] < p[1] for p in ps))
            o[3] += len(gs)
    result = {}
    for mode, by_label in counts.items():
        table = {label: _prf(*by_label[label]) for label in labels if label in by_label}
        total = [sum(by_label[label][i] for label in ENTITY_LABELS if label in by_label) for i in range(4)]
        table["ALL"] = _prf(*total)
        result[mode] = table
    return result


def _relation_keys(example: Dict) -> List[Tuple[Key, Key, str]]:
    spans = example.get("spans") or []
    out = []
    for rel in example.get("relations") or []:
        h, c = spans[rel["head"]], spans[rel["child"]]
        out.append(((h["start"], h["end"], h["label"]), (c["start"], c["end"], c["label"]), rel["label"]))
    return out


def score_relations(gold_examples: Sequence[Dict], pred_examples: Sequence[Dict]) -> Dict:
    """P/R/F per relation label (head and child spans must match exactly), plus ``ALL``."""
    counts: Dict[str, List[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for gold, pred in zip(gold_examples, pred_examples):
        g, p = set(_relation_keys(gold)), set(_relation_keys(pred))
        for label in {k[2] for k in g | p}:
            gs = {k for k in g if k[2] == label}
            ps = {k for k in p if k[2] == label}
            tp = len(gs & ps)
            c = counts[label]
            c[0] += tp
            c[1] += len(ps)
            c[2] += tp
            c[3] += len(gs)
    table = {label: _prf(*counts[label]) for label in RELATION_LABELS if label in counts}
    table["ALL"] = _prf(*[sum(c[i] for c in counts.values()) for i in range(4)])
    return table


def link_gold_entities(nlp: Language, doc: Doc, gold_spans: Sequence[Dict]) -> Dict:
    """The annotations the pipeline's item linker makes when given the gold entities.

    The doc (already processed) gets the gold entity spans as ``doc.ents``, each
    with the pipeline's norm for it (the predicted entity's where offsets agree,
    else the lexicon's or the parsers'), and the ``imr_items`` component runs again.
    ``doc._.items`` is left as the linker set it.
    """
    from .entity_norms import PARSERS

    offsets = SourceOffsets(doc)
    predicted = {(e.start_char, e.end_char, e.label_): e._.norm for e in doc.ents}
    lexicon = _lexicon(nlp)
    new: List[Span] = []
    for s in gold_spans:
        if s["label"] not in ENTITY_LABELS:
            continue
        start, end = offsets.to_doc(s["start"], s["end"])
        span = doc.char_span(start, end, label=s["label"], alignment_mode="expand")
        if span is None or not len(span):
            continue
        new.append(span)
    ents = filter_spans(new)
    for span in ents:
        k = (span.start_char, span.end_char, span.label_)
        if k in predicted:
            span._.norm = predicted[k]
        elif span.label_ in PARSERS:
            span._.norm = PARSERS[span.label_](span.text)
        else:
            span._.norm = lexicon(span.text, span.label_) or span.text.lower()
    doc.ents = ents
    linker = nlp.get_pipe("imr_items")
    linker(doc)
    return doc_annotations(doc)


# --------------------------------------------------------------------------- all together


def predict(nlp: Language, examples: Sequence[Dict], *, batch_size: int = 16) -> Iterable[Tuple[Dict, Doc]]:
    texts = (ex["text"] for ex in examples)
    return zip(examples, nlp.pipe(texts, batch_size=batch_size))


def evaluate(examples: Sequence[Dict], nlp: Language, *, batch_size: int = 16) -> Dict:
    """Entities, relations (gold entities and end to end) and records of ``examples``.

    A line without a gold ``record`` (the joined real letters) is scored at record
    level by deriving both sides from the annotations (``derive_record``): gold from
    its spans, the prediction from the pipeline's.
    """
    gold_spans, pred_spans, gold_rel, pred_rel_e2e, pred_rel_gold = [], [], [], [], []
    gold_records, pred_records, derived = [], [], 0
    for ex, doc in predict(nlp, examples, batch_size=batch_size):
        predicted = doc_annotations(doc)
        record = doc._.record
        name = (ex.get("meta") or {}).get("id")
        if ex.get("record") is not None:
            gold_record = dict(ex["record"], _id=name)
            pred_record = gold_form(record)
        else:
            derived += 1
            norm = span_norms(nlp, doc)
            gold_record = dict(derive_record(ex, norm=norm), _id=name)
            pred_record = derive_record({"text": ex["text"], "meta": {"layout": doc._.layout}, **predicted}, norm=norm)
        gold_records.append(gold_record)
        pred_records.append(pred_record)
        gold_spans.append(ex)
        pred_spans.append(predicted)
        gold_rel.append(ex)
        pred_rel_e2e.append(predicted)
        pred_rel_gold.append(link_gold_entities(nlp, doc, ex.get("spans") or []))
    splits = Counter((ex.get("meta") or {}).get("split") for ex in examples)
    return {
        "examples": len(examples),
        "splits": {str(k): v for k, v in sorted(splits.items(), key=lambda kv: str(kv[0]))},
        "records_derived_from_spans": derived,
        "entities": score_spans(gold_spans, pred_spans),
        "relations": {
            "gold_entities": score_relations(gold_rel, pred_rel_gold),
            "end_to_end": score_relations(gold_rel, pred_rel_e2e),
        },
        "records": score_records(gold_records, pred_records),
    }


def _pct(value: Optional[float]) -> str:
    return "    -" if value is None else f"{100 * value:5.1f}"


def format_metrics(metrics: Dict) -> str:
    """A readable table of ``evaluate``'s result."""
    lines: List[str] = []
    lines.append(f"letters: {metrics['examples']}  splits: {metrics.get('splits', {})}")
    if metrics.get("records_derived_from_spans"):
        lines.append(f"records derived from spans (no gold record): {metrics['records_derived_from_spans']}")
    ents = metrics["entities"]
    lines.append("")
    lines.append("Entities                 exact                  overlap")
    lines.append(f"{'label':<12}{'gold':>6}{'pred':>6}{'P':>7}{'R':>7}{'F':>7}  {'P':>7}{'R':>7}{'F':>7}")
    order = [label for label in SPAN_LABELS if label in ents["exact"]] + ["ALL"]
    for label in order:
        e, o = ents["exact"][label], ents["overlap"][label]
        name = "ALL (ents)" if label == "ALL" else label
        lines.append(f"{name:<12}{e['gold']:>6}{e['pred']:>6}  {_pct(e['p'])}  {_pct(e['r'])}  {_pct(e['f'])}    {_pct(o['p'])}  {_pct(o['r'])}  {_pct(o['f'])}")
    rels = metrics["relations"]
    lines.append("")
    lines.append("Relations                              given gold entities      end to end")
    lines.append(f"{'label':<30}{'gold':>6}{'pred':>6}{'P':>7}{'R':>7}{'F':>7}  {'pred':>6}{'P':>7}{'R':>7}{'F':>7}")
    labels = [label for label in RELATION_LABELS if label in rels["gold_entities"] or label in rels["end_to_end"]] + ["ALL"]
    empty = {"gold": 0, "pred": 0, "p": 0.0, "r": 0.0, "f": 0.0}
    for label in labels:
        g, e = rels["gold_entities"].get(label, empty), rels["end_to_end"].get(label, empty)
        lines.append(f"{label:<30}{max(g['gold'], e['gold']):>6}{g['pred']:>6}  {_pct(g['p'])}  {_pct(g['r'])}  {_pct(g['f'])}  {e['pred']:>6}  {_pct(e['p'])}  {_pct(e['r'])}  {_pct(e['f'])}")
    rec = metrics["records"]
    it = rec["items"]
    lines.append("")
    lines.append(f"Records: {rec['letters']} letters; items gold {it['gold']}, predicted {it['pred']}, matched {it['tp']}: "
                 f"P {_pct(it['p']).strip()}  R {_pct(it['r']).strip()}  F1 {_pct(it['f']).strip()}")
    lines.append(f"{'item field (matched items)':<40}{'correct':>9}{'total':>7}{'acc':>8}")
    for name, s in rec["item_fields"].items():
        lines.append(f"{name:<40}{s['correct']:>9}{s['total']:>7}  {_pct(s['accuracy'])}")
    lines.append(f"{'letter field':<40}{'correct':>9}{'total':>7}{'acc':>8}")
    for name, s in rec["letter_fields"].items():
        lines.append(f"{name:<40}{s['correct']:>9}{s['total']:>7}  {_pct(s['accuracy'])}")
    return "\n".join(lines)


def read_json_lines(path, error: type = ValueError) -> Iterable[Tuple[int, Dict]]:
    """(line number, object) of each non-empty line of a JSONL file; ``error`` names a bad line."""
    from pathlib import Path

    path = Path(path)
    for n, raw in enumerate(path.read_text(encoding="utf8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            yield n, json.loads(raw)
        except json.JSONDecodeError as err:
            raise error(f"{path} line {n}: not JSON ({err})") from err


def read_corpus(path, split: Optional[str] = None) -> List[Dict]:
    """The checked lines of an annotated corpus file (with text), optionally of one split."""
    from pathlib import Path

    path = Path(path)
    examples = []
    for n, example in read_json_lines(path, AnnotationError):
        if "text" not in example:
            raise AnnotationError(
                f"{path} line {n}: no 'text' (a standoff line?). Join it with its letters first: "
                "python scripts/join_real.py STANDOFF.jsonl LETTERS/ -o JOINED.jsonl"
            )
        if split is not None and (example.get("meta") or {}).get("split") != split:
            continue
        check_example(example, (example.get("meta") or {}).get("id") or f"{path.name} line {n}")
        examples.append(example)
    return examples


def format_comparison(results: Dict[str, Dict]) -> str:
    """Key figures of several systems side by side (entity F, relation F, item F1, field accuracy)."""
    names = list(results)
    head = f"{'':<42}" + "".join(f"{n:>14}" for n in names)
    lines = [head]

    def row(label: str, values: List[Optional[float]]) -> None:
        lines.append(f"{label:<42}" + "".join(f"{_pct(v):>14}" for v in values))

    first = results[names[0]]
    lines.append("entity F (exact)")
    for label in list(first["entities"]["exact"]):
        row(f"  {label}", [r["entities"]["exact"].get(label, {}).get("f") for r in results.values()])
    lines.append("relation F (end to end)")
    for label in list(first["relations"]["end_to_end"]):
        row(f"  {label}", [r["relations"]["end_to_end"].get(label, {}).get("f") for r in results.values()])
    lines.append("records")
    row("  item F1", [r["records"]["items"]["f"] for r in results.values()])
    for field in first["records"]["item_fields"]:
        row(f"  {field}", [r["records"]["item_fields"][field]["accuracy"] for r in results.values()])
    for field in first["records"]["letter_fields"]:
        row(f"  {field}", [r["records"]["letter_fields"][field]["accuracy"] for r in results.values()])
    return "\n".join(lines)
