"""The annotated corpus's form: a processed doc as Prodigy-style spans and relations.

An annotated line (``corpus/README.md``, ``corpus/schema.json``) is a dict:
``text``, ``meta``, ``spans`` (``start``/``end`` index the letter's text as read,
``text[start:end]``) and ``relations`` from an ITEM span to its parts (``head``/
``child`` index ``spans``), and optionally the gold ``record`` in the hand-written
``*.expected.json`` form. This module turns a processed doc into that form
(``doc_annotations``), checks a line (``check_example``) and reads a corpus file
(``read_corpus``). Every result is plain JSON-ready data.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from .citations import NON_MTUS
from .extensions import text_of
from .links import ents_within
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
_REFERENCE_TAIL = re.compile(r"[\s,;]*(?:(?:which|that)\s+(?:is|are)\s+(?:not\s+)?part\s+of|(?:outside|not\s+in)(?:\s+of)?)(?:\s+the)?\s*$", re.I)
CASE_FIELDS = ("case_number", "date_assigned", "decision_date", "date_of_injury", "ur_decision_date", "application_date")

Key = Tuple[int, int, str]  # (start, end, label) in the caller's text


class AnnotationError(ValueError):
    """A malformed annotated line; the message names the letter and the span."""



# --------------------------------------------------------------------------- doc -> annotations


def _within(ents: Sequence[Span], start: int, end: int, label: str) -> List[Span]:
    return [e for e in ents_within(ents, start, end) if e.label_ == label]


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
    offsets = OffsetMap(doc._.source_map)
    text = text_of(doc)
    ents = list(doc.ents)
    entity_keys = [(*offsets.span(e.start_char, e.end_char), e.label_) for e in ents]
    extra: List[Key] = []
    problems: List[str] = []
    items: List[Dict] = []

    def key(start: int, end: int, label: str) -> Key:
        return (*offsets.span(start, end), label)

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
        s, e = offsets.span(start, end)
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


def link_unlinked_treatments(example: Dict) -> int:
    """Draw ``HAS_TREATMENT`` from each ITEM that has neither a drug nor a treatment
    link to the first TREATMENT span inside it, as GUIDELINES.md asks ("Botox
    injections" links "injections"; a device a reviewer tagged links it). Reviews
    add spans but no relations, so an item whose treatment only a reviewer tagged
    has none. Returns the number of relations drawn."""
    spans = example["spans"]
    relations = example.setdefault("relations", [])
    linked = {r["head"] for r in relations if r["label"] in ("HAS_DRUG", "HAS_TREATMENT")}
    drawn = 0
    for i, item in enumerate(spans):
        if item["label"] != "ITEM" or i in linked:
            continue
        inside = [
            j for j, s in enumerate(spans)
            if s["label"] == "TREATMENT" and item["start"] <= s["start"] and s["end"] <= item["end"]
        ]
        if inside:
            first = min(inside, key=lambda j: spans[j]["start"])
            relations.append({"head": i, "child": first, "label": "HAS_TREATMENT"})
            drawn += 1
    return drawn


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




def stale_removals(example: Dict, review: Dict) -> List[Dict]:
    """The review's removals that name no span of the line: the pipeline has changed
    since the review, and the reviewer's decision should be checked again."""
    present = {(s["start"], s["end"], s["label"]) for s in example["spans"]}
    return [s for s in review.get("remove", []) if (s["start"], s["end"], s["label"]) not in present]


def apply_review(example: Dict, review: Dict) -> Dict:
    """An annotated line with a reviewer's span corrections applied.

    ``review`` is {"remove": [{"start", "end", "label"}], "add": [...], "reviewed_by", "notes"}:
    removed spans (a pure removal also takes a span of its label drawn a little
    differently over the same words), and entity spans an added one overlaps, are replaced. A relation to a
    replaced entity moves to the added span of the same label that overlaps it (a
    boundary fix keeps its links); otherwise it goes with the span. Relation indices are
    renumbered. The reviewer is recorded in ``meta.reviewed_by``; a line reviewed
    again keeps the earlier reviewer and notes and adds the new ones.
    """
    remove = {(s["start"], s["end"], s["label"]) for s in review.get("remove", [])}
    added = [{"start": s["start"], "end": s["end"], "label": s["label"]} for s in review.get("add", [])]
    spans = example["spans"]

    def overlaps(a: Dict, b: Dict) -> bool:
        return a["start"] < b["end"] and b["start"] < a["end"]

    def overridden(span: Dict) -> bool:  # an entity the reviewer's added span replaces
        return LAYERS.get(span["label"]) == "entity" and any(overlaps(a, span) for a in added)

    # A removal no added span replaces says "no entity of this label here": it also
    # takes a span of its label the pipeline now draws a little differently.
    dropped = [r for r in review.get("remove", []) if not any(overlaps(a, r) for a in added)]

    def removed(span: Dict) -> bool:
        return (span["start"], span["end"], span["label"]) in remove or any(
            r["label"] == span["label"] and overlaps(r, span) for r in dropped
        )

    keep = [i for i, s in enumerate(spans) if not removed(s) and not overridden(s)]
    index = {old: new for new, old in enumerate(keep)}
    for i, span in enumerate(spans):
        if i in index or LAYERS.get(span["label"]) != "entity":
            continue
        for j, a in enumerate(added):
            if a["label"] == span["label"] and overlaps(a, span):
                index[i] = len(keep) + j
                break
    new_spans = [dict(spans[i]) for i in keep] + added
    relations = []
    seen = set()
    for rel in example.get("relations", []):
        if rel["head"] in index and rel["child"] in index:
            moved = {**rel, "head": index[rel["head"]], "child": index[rel["child"]]}
            key = (moved["head"], moved["child"], moved["label"])
            if key not in seen:  # two old spans merged into one added span link it once
                seen.add(key)
                relations.append(moved)
    meta = dict(example.get("meta") or {})
    # A later pass (a guideline change checked across the corpus) adds to the first.
    by = [b for b in (meta.get("reviewed_by"), review.get("reviewed_by")) if b]
    meta["reviewed_by"] = "; ".join(dict.fromkeys(by)) or None
    meta["review_notes"] = list(meta.get("review_notes", [])) + list(review.get("notes", []))
    return {**example, "meta": meta, "spans": new_spans, "relations": relations}
