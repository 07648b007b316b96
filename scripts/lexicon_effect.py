"""The drug lexicon's effect: record fields with the generated lexicon against the hand list alone.

    python scripts/lexicon_effect.py corpus/synthetic.jsonl [--split test]

Builds the rules pipeline twice, once with patterns/drugs.jsonl (the dictionary
plus the hand extras) and once with patterns/drug_extras.jsonl alone, and
scores both on the corpus's hand-written gold records.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Optional

import typer


def main(data: Path, split: Optional[str] = typer.Option("test", help="Corpus split to score (empty: all).")) -> None:
    import pipeline
    from pipeline.annotations import read_corpus
    from pipeline.evaluate import evaluate, format_comparison
    from pipeline.resources import data_dir

    examples = read_corpus(data, split or None)
    patterns = data_dir("patterns")
    with tempfile.TemporaryDirectory() as tmp:
        hand = Path(tmp) / "patterns"
        shutil.copytree(patterns, hand)
        shutil.copy(patterns / "drug_extras.jsonl", hand / "drugs.jsonl")
        results = {
            "hand list": evaluate(examples, pipeline.load(patterns=hand)),
            "generated": evaluate(examples, pipeline.load()),
        }
    typer.echo(f"{len(examples)} letters{f' ({split} split)' if split else ''}")
    typer.echo(format_comparison(results))


if __name__ == "__main__":
    typer.run(main)
