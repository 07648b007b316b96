"""Build spaCy training data (.spacy) from the annotated corpus JSONL.

Each line's text goes through the pipeline's own tokenizer (the letter
normalization included), and its gold spans, given as offsets into the
original text, are moved to the normalized text. Only the labels the trained
component learns are kept (--labels); overlapping spans keep the longest.

    python scripts/convert_corpus.py corpus/synthetic.jsonl training/corpus [--labels DRUG,TREATMENT]
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import srsly
import typer
from spacy.tokens import DocBin
from spacy.util import filter_spans


def convert(inputs: List[Path], output: Path, labels: List[str]) -> Dict[str, int]:
    import pipeline
    from pipeline.text import OffsetMap

    nlp = pipeline.load()
    bins = {split: DocBin(store_user_data=False) for split in ("train", "dev", "test")}
    counts = {split: 0 for split in bins}
    for path in inputs:
        for line in srsly.read_jsonl(path):
            split = line["meta"]["split"]
            doc = nlp.make_doc(line["text"])
            omap = OffsetMap(doc._.source_map)
            spans = []
            for span in line["spans"]:
                if span["label"] not in labels:
                    continue
                start, end = omap.to_normalized(span["start"]), omap.to_normalized(span["end"])
                ent = doc.char_span(start, end, label=span["label"], alignment_mode="expand")
                if ent is not None and len(ent):
                    spans.append(ent)
            doc.ents = filter_spans(spans)
            bins[split].add(doc)
            counts[split] += 1
    output.mkdir(parents=True, exist_ok=True)
    for split, docbin in bins.items():
        docbin.to_disk(output / f"{split}.spacy")
    return counts


def main(
    inputs: List[Path] = typer.Argument(..., help="Annotated corpus JSONL files (with text)."),
    output: Path = typer.Option(Path("training/corpus"), "--output", "-o", help="Folder for train/dev/test.spacy."),
    labels: str = typer.Option("DRUG,TREATMENT", help="Comma-separated labels to keep."),
) -> None:
    counts = convert(inputs, output, [label.strip() for label in labels.split(",") if label.strip()])
    typer.echo(f"letters: {counts} -> {output}")


if __name__ == "__main__":
    typer.run(main)
