"""Scoring the pipeline against the annotated corpus.

* entities per label, exact and overlapping (``score_spans``);
* relations per label (``score_relations``), end to end and with the gold
  entities given to the pipeline's own item linker (``link_gold_entities``);
* records (``score_records``: items matched by normalized request, then per-field
  accuracy);
* ``evaluate`` (all of it for a list of lines and a pipeline), ``format_metrics``
  (a readable table) and ``format_comparison`` (systems side by side).

Every result is a JSON-serializable dict.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .annotations import ENTITY_LABELS, RELATION_LABELS, SPAN_LABELS, Key, doc_annotations
from .record_fields import (
    ITEM_FIELDS, LETTER_FIELDS, _lexicon, _same, derive_record, gold_form, item_conclusions, item_fields, letter_fields,
    match_items, span_norms,
)
from .text import OffsetMap


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


def link_gold_entities(
    nlp: Language, doc: Doc, gold_spans: Sequence[Dict], *, lexicon: Optional[Callable[[str, str], Optional[str]]] = None
) -> Dict:
    """The annotations the pipeline's item linker makes when given the gold entities.

    The doc (already processed) gets the gold entity spans as ``doc.ents``, each
    with the pipeline's norm for it (the predicted entity's where offsets agree,
    else the lexicon's or the parsers'), and the ``imr_items`` component runs again.
    ``doc._.items`` is left as the linker set it.
    """
    from .entity_norms import PARSERS

    offsets = OffsetMap(doc._.source_map)
    predicted = {(e.start_char, e.end_char, e.label_): e._.norm for e in doc.ents}
    if lexicon is None:
        lexicon = _lexicon(nlp)
    new: List[Span] = []
    for s in gold_spans:
        if s["label"] not in ENTITY_LABELS:
            continue
        start, end = offsets.normalized_span(s["start"], s["end"])
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
    gold_spans, pred_spans, pred_rel_gold = [], [], []
    lexicon = _lexicon(nlp)
    conclusions = item_conclusions(nlp)
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
            norm = span_norms(nlp, doc, lexicon=lexicon)
            gold_record = dict(derive_record(ex, norm=norm, conclusions=conclusions), _id=name)
            pred_record = derive_record(
                {"text": ex["text"], "meta": {"layout": doc._.layout}, **predicted}, norm=norm, conclusions=conclusions
            )
        gold_records.append(gold_record)
        pred_records.append(pred_record)
        gold_spans.append(ex)
        pred_spans.append(predicted)
        pred_rel_gold.append(link_gold_entities(nlp, doc, ex.get("spans") or [], lexicon=lexicon))
    splits = Counter((ex.get("meta") or {}).get("split") for ex in examples)
    return {
        "examples": len(examples),
        "splits": {str(k): v for k, v in sorted(splits.items(), key=lambda kv: str(kv[0]))},
        "records_derived_from_spans": derived,
        "entities": score_spans(gold_spans, pred_spans),
        "relations": {
            "gold_entities": score_relations(gold_spans, pred_rel_gold),
            "end_to_end": score_relations(gold_spans, pred_spans),
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

