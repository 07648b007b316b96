"""Build the annotated synthetic corpus (corpus/synthetic.jsonl) from corpus/letters.

Each letter ``X.txt`` with its hand-written gold ``X.expected.json`` becomes one
Prodigy-style line (corpus/README.md): the rules pipeline's spans and links,
CORRECTED with the gold:

* items whose request the gold names keep their spans (ITEM, RATIONALE) and
  relations; items the gold does not name are dropped, and gold items the
  pipeline did not find have no span; both are flagged;
* a relation to a part the gold says the item does not have (a drug, strength,
  quantity, treatment, or a guideline of a source the gold does not list) is
  dropped, and flagged;
* every gold field that disagrees with the pipeline is flagged in
  ``meta.corrections`` (field, pipeline value, gold value, what was done) so that a
  person can check it; the line's ``record`` holds the gold fields;
* entity spans are the record's ``entities`` (offsets into the .txt as read).

Splits are fixed per letter by a seeded hash of the file name (about 70/15/15
train/dev/test). A letter already in the output keeps its split when the script
runs again, so the test split never moves.

    python scripts/annotate_corpus.py [--letters corpus/letters] [--output corpus/synthetic.jsonl]
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

import srsly
import typer

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "scripts/annotate_corpus.py"
CHECKED_BY = f"pipeline output corrected against hand-written gold by {SCRIPT}"
SEED = "imr-corpus-v1"
ITEM_PARTS = ("drug", "strength", "quantity")


def read_existing_splits(path: Path) -> Dict[str, str]:
    """Splits of the letters already in ``path`` (by ``meta.id``)."""
    splits: Dict[str, str] = {}
    if not path.exists():
        return splits
    for n, line in enumerate(path.read_text(encoding="utf8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            meta = json.loads(line).get("meta") or {}
        except json.JSONDecodeError as err:
            raise typer.BadParameter(f"{path} line {n} is not JSON ({err}); fix or remove it: its splits must be kept") from err
        if meta.get("id") and meta.get("split"):
            splits[meta["id"]] = meta["split"]
    return splits


def _strength(value: Optional[Dict]) -> Optional[Dict]:
    return None if not value else {"values": list(value.get("values") or []), "unit": value.get("unit")}


def _same(a, b) -> bool:
    from pipeline.record_fields import _same as same

    return same(a, b)


PART_LABEL = {"drug": "DRUG", "strength": "STRENGTH", "quantity": "QUANTITY", "treatment": "TREATMENT"}
PART_RELATION = {"drug": "HAS_DRUG", "strength": "HAS_STRENGTH", "quantity": "HAS_QUANTITY", "treatment": "HAS_TREATMENT"}


def entity_with_value(entities: List[Dict], item_key, field: str, value) -> Optional[tuple]:
    """The first entity inside the item's request whose value is the gold value (or None)."""
    from pipeline.normalize import parse_quantity, parse_strength

    start, end = item_key[0], item_key[1]
    for ent in entities:
        if ent["label"] != PART_LABEL[field] or not (start <= ent["start"] and ent["end"] <= end):
            continue
        if field == "drug":
            found = ent.get("norm")
        elif field == "quantity":
            found = parse_quantity(ent["text"])
        else:
            parsed = parse_strength(ent["text"])
            found = {"values": parsed[0], "unit": parsed[1]} if parsed else None
        if found is not None and _same(found, value):
            return (ent["start"], ent["end"], ent["label"])
    return None


def locate(text: str, item_key: tuple, request: str) -> Optional[tuple]:
    """The ITEM key of ``request`` (whitespace-flexible, any case) inside a longer ITEM span.

    The last occurrence wins: in a partial authorization written as one heading the
    decided (remaining) portion comes last, after the authorized one.
    """
    words = request.split()
    if not words:
        return None
    rx = re.compile(r"\s+".join(re.escape(w) for w in words), re.I)
    m = None
    for m in rx.finditer(text, item_key[0], item_key[1]):
        pass
    if m is None or (m.start(), m.end()) == (item_key[0], item_key[1]):
        return None
    return (m.start(), m.end(), item_key[2])


def relink_inside(parts: List[Dict], item_key: tuple, entities: List[Dict]) -> List[Dict]:
    """Request parts after an ITEM span was cut: those outside it move to the first
    entity of their label inside it (or are dropped)."""
    start, end = item_key[0], item_key[1]
    kept: List[Dict] = []
    moved = set()
    for part in parts:
        field = part["field"]
        if field not in PART_LABEL or (start <= part["key"][0] and part["key"][1] <= end):
            kept.append(part)
            continue
        if field in moved:
            continue
        moved.add(field)
        inside = [e for e in entities if e["label"] == PART_LABEL[field] and start <= e["start"] and e["end"] <= end]
        if inside:
            e = inside[0]
            kept.append({"relation": PART_RELATION[field], "key": (e["start"], e["end"], e["label"]), "field": field})
    return kept


def correct_letter(name: str, text: str, doc, gold: Dict) -> Dict:
    """One corpus line: the doc's annotations corrected with the gold record."""
    from pipeline.annotations import PARTIES, build_annotations, item_links
    from pipeline.record_fields import _mod_form, gold_form, match_items, page_of

    record = doc._.record
    links = item_links(doc)
    predicted = gold_form(record)
    corrections: List[Dict] = []

    def flag(field: str, pipeline_value, gold_value, action: str, request: Optional[str] = None) -> None:
        entry = {"field": field}
        if request is not None:
            entry["item"] = request
        entry.update({"pipeline": pipeline_value, "gold": gold_value, "action": action})
        corrections.append(entry)

    for field in ("layout",):
        if field in gold and gold[field] != record.get(field):
            flag(field, record.get(field), gold[field], "record corrected")
    for group in ("patient", "reviewer", "case"):
        for field, value in (gold.get(group) or {}).items():
            mine = (record.get(group) or {}).get(field)
            if not _same(value, mine):
                flag(f"{group}.{field}", mine, value, "record corrected")

    gold_items = gold.get("items", [])
    pairs = match_items(gold_items, predicted["items"])
    by_gold = dict(pairs)
    kept_pred = {j for _, j in pairs}
    # A pipeline request that holds the gold request and more ("The request for X"):
    # the ITEM span is cut to the gold request.
    cut: Dict[int, tuple] = {}
    for i, g in enumerate(gold_items):
        if i in by_gold:
            continue
        for j, item in enumerate(predicted["items"]):
            if j in kept_pred:
                continue
            span = locate(text, links["items"][j]["item"], g["request"])
            if span is not None:
                by_gold[i] = j
                kept_pred.add(j)
                cut[j] = span
                flag("items", item["request"], g["request"], f"ITEM span cut to the gold request [{span[0]}:{span[1]}]", g["request"])
                break
    for j, item in enumerate(predicted["items"]):
        if j not in kept_pred:
            flag("items", item["request"], None, "item dropped: the gold does not name this request", item["request"])
    kept_links = []
    out_items = []
    for i, g in enumerate(gold_items):
        request = g["request"]
        out = dict(g)
        if i not in by_gold:
            flag("items", None, request, "item without span: the pipeline did not find it; draw its spans by hand", request)
            out_items.append(out)
            continue
        j = by_gold[i]
        p = predicted["items"][j]
        link = dict(links["items"][j])
        parts = list(link["parts"])
        if j in cut:
            link["item"] = cut[j]
            parts = relink_inside(parts, cut[j], record["entities"])
        out["page"] = page_of(text, link["item"][0])
        # drug, strength, quantity: value corrections, and relations the gold denies
        for field in ITEM_PARTS:
            if field not in g:
                continue
            gv = _strength(g[field]) if field == "strength" else g[field]
            pv = p[field]
            has_part = any(part["field"] == field for part in parts)
            if gv is not None and not _same(gv, pv):
                other = entity_with_value(record["entities"], link["item"], field, gv)
                if other is not None:
                    parts = [part for part in parts if part["field"] != field]
                    parts.append({"relation": PART_RELATION[field], "key": other, "field": field})
                    flag(f"items.{field}", pv, gv, f"record corrected; relation moved to the {other[2]} span [{other[0]}:{other[1]}] whose value is the gold's", request)
                    continue
            if gv is None and has_part:
                parts = [part for part in parts if part["field"] != field]
                flag(f"items.{field}", pv, gv, "relation dropped", request)
            elif gv is not None and not has_part:
                flag(f"items.{field}", pv, gv, "record corrected; no span linked: draw it by hand", request)
            elif not _same(gv, pv):
                flag(f"items.{field}", pv, gv, "record corrected (span kept: check that it is the right one)", request)
        for field in ("decision", "medically_necessary"):
            if field in g and not _same(g[field], p[field]):
                flag(f"items.{field}", p[field], g[field], "record corrected", request)
        if "ur_modification" in g and _mod_form(g["ur_modification"]) != _mod_form(p["ur_modification"]):
            flag("items.ur_modification", p["ur_modification"], g["ur_modification"], "record corrected", request)
        # guideline sources: keep the links whose source the gold lists for that party
        sources = g.get("guideline_sources") or {}
        for party in PARTIES:
            if party not in sources:
                continue
            gold_list, pred_list = list(sources[party]), p["guideline_sources"][party]
            if gold_list == pred_list:
                continue
            left = Counter(gold_list)
            kept = []
            for part in parts:
                if part["field"] != party:
                    kept.append(part)
                elif left[part["source"]] > 0:
                    left[part["source"]] -= 1
                    kept.append(part)
            dropped = len(parts) - len(kept)
            parts = kept
            action = "record corrected"
            if dropped:
                action += f"; {dropped} relation(s) dropped"
            if party == "reviewer" and +left and gold_list == list(sources.get("claims_administrator") or []):
                # The gold reads the reviewer as adopting the claims administrator's
                # guideline ("found the Claims Administrator's guideline relevant"):
                # link the claims administrator's citations, as GUIDELINES.md says.
                adopted = 0
                for part in [q for q in parts if q["field"] == "claims_administrator"]:
                    if left[part["source"]] > 0:
                        left[part["source"]] -= 1
                        parts.append({**part, "field": "reviewer", "relation": "CITED_BY_REVIEWER"})
                        adopted += 1
                if adopted:
                    action += f"; {adopted} relation(s) linked to the claims administrator's citation (the reviewer adopts it: check)"
            if +left:
                action += f"; no span linked for {sorted((+left).elements())}: draw by hand"
            flag(f"items.guideline_sources.{party}", pred_list, gold_list, action, request)
        link["parts"] = parts
        kept_links.append(link)
        out_items.append(out)

    spans, relations = build_annotations(
        [(e["start"], e["end"], e["label"]) for e in record["entities"]] + links["extra"], kept_links
    )
    gold_record = {k: v for k, v in gold.items() if k != "items"}
    gold_record["items"] = out_items
    return {
        "text": text,
        "meta": {"id": name, "corrections": corrections, "notes": links["problems"]},
        "spans": spans,
        "relations": relations,
        "record": gold_record,
    }


def main(
    letters: Path = typer.Option(ROOT / "corpus" / "letters", help="Folder of letters X.txt with their gold X.expected.json."),
    output: Path = typer.Option(ROOT / "corpus" / "synthetic.jsonl", help="The corpus file to write (its splits are kept)."),
    seed: str = typer.Option(SEED, help="Seed of the split hash (changing it moves only letters not yet in the output)."),
    tokens: bool = typer.Option(False, help="Also write Prodigy 'tokens' (the pipeline's tokenizer on the original text) and each span's token_start/token_end, for loading into Prodigy (the file grows about tenfold)."),
    model: Optional[Path] = typer.Option(None, help="A saved pipeline instead of the rules pipeline."),
    reviews: Path = typer.Option(ROOT / "corpus" / "review", help="Folder of reviewers' span corrections (*.jsonl, keyed by letter id; real_*.jsonl are for the real letters), applied last."),
) -> None:
    import pipeline
    from pipeline.annotations import add_relation_spans, add_token_indices, apply_review, check_example, link_unlinked_treatments, prodigy_tokens, split_of, stale_removals
    from pipeline.io import InputError, atomic_output, write_jsonl

    existing = read_existing_splits(output)
    review_files = [f for f in sorted(reviews.glob("*.jsonl")) if not f.name.startswith("real_")] if reviews.is_dir() else []
    reviewed: Dict[str, List[Dict]] = {}
    for f in review_files:  # in file order: a later pass corrects the spans the earlier left
        for r in srsly.read_jsonl(f):
            reviewed.setdefault(r["id"], []).append(r)
    nlp = pipeline.load(model)
    lines = []
    skipped = []
    for path in sorted(letters.glob("*.txt")):
        name = path.stem
        gold_path = path.with_name(f"{name}.expected.json")
        if not gold_path.exists():
            skipped.append(f"{path.name}: no {gold_path.name} (a letter without gold is not annotated)")
            continue
        try:
            gold = json.loads(gold_path.read_text(encoding="utf8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            skipped.append(f"{gold_path.name}: not valid JSON ({err})")
            continue
        try:
            data = path.read_bytes()
            text = pipeline.read_letter(path)
        except InputError as err:
            skipped.append(str(err))
            continue
        doc = nlp(text)
        line = correct_letter(name, text, doc, gold)
        split = existing.get(name) or split_of(path.name, seed)
        line["meta"] = {
            "id": name,
            "file": f"letters/{path.name}",
            "sha256": hashlib.sha256(data).hexdigest(),
            "layout": gold.get("layout", doc._.layout),
            "split": split,
            "source": "synthetic",
            "checked_by": CHECKED_BY,
            **{k: v for k, v in line["meta"].items() if k != "id"},
        }
        for review in reviewed.get(name, []):
            stale = stale_removals(line, review)
            if stale:
                typer.echo(f"review of {name}: {len(stale)} removal(s) name no current span (the pipeline changed): " + ", ".join(f"{s['label']} {s['start']}-{s['end']}" for s in stale), err=True)
            line = apply_review(line, review)
        link_unlinked_treatments(line)
        if tokens:
            toks = prodigy_tokens(nlp, text)
            add_token_indices(line["spans"], toks)
            line = {"text": line["text"], "meta": line["meta"], "tokens": toks, **{k: v for k, v in line.items() if k not in ("text", "meta")}}
        add_relation_spans(line)
        check_example(line, name)
        lines.append(line)
    gone = sorted(set(existing) - {line["meta"]["id"] for line in lines})
    with atomic_output(output) as stream:
        write_jsonl(lines, stream)
    splits = Counter(line["meta"]["split"] for line in lines)
    corrected = sum(1 for line in lines if line["meta"]["corrections"])
    n_corr = sum(len(line["meta"]["corrections"]) for line in lines)
    typer.echo(f"{output}: {len(lines)} letters ({', '.join(f'{k} {splits[k]}' for k in ('train', 'dev', 'test'))}), "
               f"{sum(len(line['record']['items']) for line in lines)} gold items, {n_corr} corrections in {corrected} letters")
    for msg in skipped:
        typer.echo(f"skipped {msg}", err=True)
    for name in gone:
        typer.echo(f"note: {name} was in the old file but is no longer in {letters}; its split is forgotten", err=True)


if __name__ == "__main__":
    typer.run(main)
