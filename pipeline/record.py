"""The record: one JSON-ready dict per letter (schema version 1).

``build_record`` reads what the components left on the doc (entities with
norms, ``doc._.facts``, ``doc._.items``) and maps every offset back to the
caller's original text through ``doc._.source_map``. The schema is published
as ``record.schema.json`` beside this module.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from spacy.tokens import Doc, Span

from .extensions import text_of
from .errors import Errors
from .normalize import parse_quantity, parse_strength
from .text import OffsetMap

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("record.schema.json")
EMPTY_CASE = {
    "case_number": None, "date_assigned": None, "decision_date": None,
    "date_of_injury": None, "ur_decision_date": None, "application_date": None,
}


def _plain(value):
    """Lists where msgpack (DocBin, multiprocessing) gave back tuples."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _text(text: str, rng: Sequence[int]) -> str:
    return " ".join(text[rng[0] : rng[1]].split())


class _Resolver:
    """Entity lookups and offset mapping for one doc."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = text_of(doc)
        self.map = OffsetMap(doc._.source_map)
        self.ents: Dict[tuple, Span] = {(e.start_char, e.end_char): e for e in doc.ents}

    def norm(self, rng: Sequence[int]) -> Optional[str]:
        ent = self.ents.get((rng[0], rng[1]))
        return None if ent is None else ent._.norm

    def ids(self, rng: Sequence[int]) -> Optional[Dict]:
        ent = self.ents.get((rng[0], rng[1]))
        return None if ent is None else _plain(ent._.ids)

    def offsets(self, rng: Sequence[int]) -> Dict[str, int]:
        start, end = self.map.span(rng[0], rng[1])
        return {"start": start, "end": end}

    def page(self, rng: Sequence[int]) -> int:
        """The 1-based page of the caller's text where the span starts."""
        starts = self.doc._.page_starts or [0]
        return bisect_right(starts, self.map.start(rng[0]))


def _drug(r: _Resolver, item: Dict) -> Optional[Dict]:
    rng = item["drug"]
    if rng is None:
        return None
    if "drug_name" in item:  # a compounded drug, named by its ingredients
        return {"text": item["drug_text"], "name": item["drug_name"], "ids": _plain(item.get("drug_ids"))}
    return {"text": _text(r.text, rng), "name": r.norm(rng), "ids": r.ids(rng)}


def _strength(r: _Resolver, item: Dict) -> Optional[Dict]:
    rng = item["strength"]
    if rng is None:
        return None
    if "strength_values" in item:
        return {"text": item["strength_text"], "values": list(item["strength_values"]), "unit": item["strength_unit"]}
    text = _text(r.text, rng)
    parsed = parse_strength(text)
    values, unit = parsed if parsed else ([], None)
    return {"text": text, "values": values, "unit": unit}


def _quantity(r: _Resolver, rng: Optional[Sequence[int]]) -> Optional[Dict]:
    if rng is None:
        return None
    text = _text(r.text, rng)
    return {"text": text, "value": parse_quantity(text)}


def _treatment(r: _Resolver, rng: Optional[Sequence[int]]) -> Optional[Dict]:
    if rng is None:
        return None
    return {"text": _text(r.text, rng), "name": r.norm(rng)}


def _item(r: _Resolver, item: Dict) -> Dict:
    text = r.text
    modification = item.get("ur_modification")
    return {
        "request": _text(text, item["request"]),
        **r.offsets(item["request"]),
        "page": r.page(item["request"]),
        "drug": _drug(r, item),
        "strength": _strength(r, item),
        "quantity": _quantity(r, item["quantity"]),
        "treatment": _treatment(r, item.get("treatment")),
        "decision": item["decision"],
        "medically_necessary": item["medically_necessary"],
        "guidelines": [
            {
                "cited_by": g["cited_by"],
                "source": g["source"],
                "text": _text(text, (g["start"], g["end"])),
                "topic": g["topic"],
                "chapter": g["chapter"],
                "pages": g["pages"],
            }
            for g in item["guidelines"]
        ],
        "rationale": r.offsets(item["rationale"]) if item.get("rationale") else None,
        "ur_modification": (
            {k: _text(text, v) for k, v in modification.items()} if modification else None
        ),
        "warnings": list(item["warnings"]),
    }


def build_record(doc: Doc) -> Dict:
    """The schema-v1 record of a processed doc."""
    r = _Resolver(doc)
    facts = _plain(doc._.facts or {})
    entities: List[Dict] = [
        {"label": e.label_, **r.offsets((e.start_char, e.end_char)), "text": " ".join(e.text.split()), "norm": e._.norm}
        for e in doc.ents
    ]
    items = [_item(r, item) for item in (doc._.items or [])]
    warnings = list(doc._.warnings or [])
    return {
        "schema_version": SCHEMA_VERSION,
        "source": doc._.source,
        "extractor": doc._.extractor,
        "layout": doc._.layout,
        "reviewer": facts.get("reviewer", {"specialties": [], "licensure_states": []}),
        "patient": facts.get("patient", {"age": None, "sex": None}),
        "case": facts.get("case", dict(EMPTY_CASE)),
        "items": items,
        "entities": entities,
        "warnings": warnings,
    }


@lru_cache(maxsize=1)
def load_schema() -> Dict:
    """The published JSON Schema of the record."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf8"))


def validate_record(record: Dict) -> None:
    """Raise ValueError when ``record`` does not match the schema."""
    import jsonschema

    try:
        jsonschema.validate(record, load_schema())
    except jsonschema.ValidationError as err:
        where = "/".join(str(p) for p in err.absolute_path)
        raise ValueError(Errors.E305.format(version=SCHEMA_VERSION, reason=f"{where}: {err.message}")) from err
