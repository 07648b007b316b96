"""Standoff annotations of real letters: offsets and labels only, never their text.

Runs the rules pipeline on a seeded random selection of the real letters (the
.txt files beside the repository, which are never committed) and writes one line
per letter to corpus/real_standoff.jsonl:

    {"case": "CM16-0213037", "sha256": "<hex of the .txt file's bytes>",
     "spans": [{"start", "end", "label"}, ...],
     "relations": [{"head", "child", "label"}, ...],
     "meta": {"id", "split", "source": "real", "layout", "checked_by"}}

No text of the letter is written: no span text, no norms, no record. The spans are
the pipeline's (its items and decisions agree with the letters' own decision lines
in 349/349 items, see scripts/real_letters.py). ``scripts/join_real.py`` puts the
text back from a folder of the letters, checking each file's hash.

The selection is a seeded shuffle of the case names; letters already in the output
stay selected and keep their split, so re-running never moves a test letter.

    python scripts/annotate_real.py ../shared/real-letters/txt [--count 72]
"""
from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

import srsly
import typer

ROOT = Path(__file__).resolve().parent.parent
SEED = "imr-real-v1"
CHECKED_BY = (
    "rules pipeline output, not corrected by hand; its items and decisions were checked against "
    "the letters' decision lines (349/349 on the 144 real letters) by scripts/real_letters.py"
)
STANDOFF_KEYS = ("case", "sha256", "spans", "relations", "meta")


def read_standoff(path: Path) -> List[Dict]:
    """The lines of a standoff file (an empty list when it does not exist)."""
    if not path.exists():
        return []
    lines = []
    for n, raw in enumerate(path.read_text(encoding="utf8").splitlines(), start=1):
        if raw.strip():
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError as err:
                raise typer.BadParameter(f"{path} line {n} is not JSON ({err})") from err
    return lines


def select(cases: List[str], count: int, seed: str, keep: List[str]) -> List[str]:
    """``count`` cases: those in ``keep`` (still present) first, then a seeded shuffle."""
    present = set(cases)
    chosen = [c for c in keep if c in present]
    order = sorted(cases)
    random.Random(seed).shuffle(order)
    for case in order:
        if len(chosen) >= count:
            break
        if case not in chosen:
            chosen.append(case)
    return sorted(chosen)


def text_free_notes(spans: List[Dict], relations: List[Dict]) -> List[str]:
    """What a person should check, by span index and offsets only (never the letter's words)."""
    linked: Dict[int, set] = {}
    for rel in relations:
        linked.setdefault(rel["head"], set()).add(rel["label"])
    notes = []
    for i, s in enumerate(spans):
        if s["label"] != "ITEM":
            continue
        for label in ("HAS_DECISION", "HAS_RATIONALE"):
            if label not in linked.get(i, set()):
                notes.append(f"ITEM span {i} [{s['start']}:{s['end']}]: no {label} relation")
    return notes


def standoff_line(case: str, data: bytes, text: str, doc, split: str) -> Dict:
    from pipeline.annotations import check_example, doc_annotations

    ann = doc_annotations(doc)
    notes = text_free_notes(ann["spans"], ann["relations"])
    line = {
        "case": case,
        "sha256": hashlib.sha256(data).hexdigest(),
        "spans": [{"start": s["start"], "end": s["end"], "label": s["label"]} for s in ann["spans"]],
        "relations": [{"head": r["head"], "child": r["child"], "label": r["label"]} for r in ann["relations"]],
        "meta": {"id": case, "split": split, "source": "real", "layout": doc._.layout, "checked_by": CHECKED_BY, "notes": notes},
    }
    check_example(line, case, text_length=len(text))
    return line


def main(
    folder: Path = typer.Argument(..., help="Folder of the real letters' .txt files (CM*.txt)."),
    output: Path = typer.Option(ROOT / "corpus" / "real_standoff.jsonl", help="The standoff file to write."),
    count: int = typer.Option(72, min=1, help="How many letters to select (at least 60 asked for; 72 is half of 144)."),
    seed: str = typer.Option(SEED, help="Seed of the selection and of the split hash."),
    model: Optional[Path] = typer.Option(None, help="A saved pipeline instead of the rules pipeline."),
    reviews: Path = typer.Option(ROOT / "corpus" / "review", help="Folder of reviewers' span corrections; real_*.jsonl files (keyed by case) are applied last."),
) -> None:
    import pipeline
    from pipeline.annotations import apply_review, link_unlinked_treatments, split_of, stale_removals
    from pipeline.io import InputError, atomic_output, write_jsonl

    files = {p.stem: p for p in sorted(folder.glob("*.txt"))}
    if not files:
        raise typer.BadParameter(f"no .txt letters in {folder}")
    old = read_standoff(output)
    old_splits = {line["case"]: (line.get("meta") or {}).get("split") for line in old}
    chosen = select(list(files), count, seed, [line["case"] for line in old])
    reviewed: Dict[str, List[Dict]] = {}
    for f in sorted(reviews.glob("real_*.jsonl")) if reviews.is_dir() else []:  # in file order
        for r in srsly.read_jsonl(f):
            reviewed.setdefault(r["case"], []).append(r)
    nlp = pipeline.load(model)
    lines = []
    for case in chosen:
        path = files[case]
        data = path.read_bytes()
        try:
            text = pipeline.read_letter(path)
        except InputError as err:
            typer.echo(f"skipped {err}", err=True)
            continue
        doc = nlp(text)
        split = old_splits.get(case) or split_of(case, seed)
        line = standoff_line(case, data, text, doc, split)
        for review in reviewed.get(case, []):
            stale = stale_removals(line, review)
            if stale:
                typer.echo(f"review of {case}: {len(stale)} removal(s) name no current span (the pipeline changed): " + ", ".join(f"{s['label']} {s['start']}-{s['end']}" for s in stale), err=True)
            line = apply_review(line, review)
        link_unlinked_treatments(line)
        lines.append(line)
    with atomic_output(output) as stream:
        write_jsonl(lines, stream)
    splits = Counter(line["meta"]["split"] for line in lines)
    items = sum(1 for line in lines for s in line["spans"] if s["label"] == "ITEM")
    typer.echo(f"{output}: {len(lines)} of {len(files)} letters ({', '.join(f'{k} {splits[k]}' for k in ('train', 'dev', 'test'))}), {items} items")
    typer.echo("cases: " + " ".join(line["case"] for line in lines))
    for line in lines:
        for note in line["meta"]["notes"]:
            typer.echo(f"check {line['case']}: {note}", err=True)
    missing = sorted(set(old_splits) - set(files))
    for case in missing:
        typer.echo(f"note: {case} was in the old file but is not in {folder}; dropped", err=True)


if __name__ == "__main__":
    typer.run(main)
