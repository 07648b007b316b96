"""Score the pipeline on an annotated corpus file (Prodigy-style JSONL, corpus/README.md).

    python scripts/evaluate.py corpus/synthetic.jsonl --split test [--model PATH] [--output metrics.json]
    python scripts/join_real.py corpus/real_standoff.jsonl ../shared/real-letters/txt -o /tmp/real.jsonl
    python scripts/evaluate.py /tmp/real.jsonl

Prints a table (entities per label, exact and overlapping; relations given the
gold entities and end to end; items and record fields) and, with --output,
writes the metrics as JSON. The scoring is ``pipeline.evaluate``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer


def read_examples(path: Path, split: Optional[str] = None) -> List[dict]:
    from pipeline.evaluate import AnnotationError, check_example

    examples = []
    for n, raw in enumerate(path.read_text(encoding="utf8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            example = json.loads(raw)
        except json.JSONDecodeError as err:
            raise typer.BadParameter(f"{path} line {n}: not JSON ({err})") from err
        if "text" not in example:
            raise typer.BadParameter(
                f"{path} line {n}: no 'text' (a standoff line?). Join it with its letters first: "
                "python scripts/join_real.py STANDOFF.jsonl LETTERS/ -o JOINED.jsonl"
            )
        if split is not None and (example.get("meta") or {}).get("split") != split:
            continue
        try:
            check_example(example, (example.get("meta") or {}).get("id") or f"{path.name} line {n}")
        except AnnotationError as err:
            raise typer.BadParameter(str(err)) from err
        examples.append(example)
    return examples


def main(
    data: Path = typer.Argument(..., exists=True, dir_okay=False, help="Annotated JSONL (with text)."),
    model: Optional[Path] = typer.Option(None, help="A saved pipeline folder; the rules pipeline if not given."),
    output: Optional[Path] = typer.Option(None, help="Write the metrics here as JSON."),
    split: Optional[str] = typer.Option(None, help="Score only the lines whose meta.split is this (train, dev or test)."),
) -> None:
    import pipeline
    from pipeline.evaluate import evaluate, format_metrics
    from pipeline.io import atomic_output

    examples = read_examples(data, split)
    if not examples:
        typer.echo(f"{data}: no lines{f' in split {split!r}' if split else ''}", err=True)
        raise typer.Exit(1)
    nlp = pipeline.load(model)
    metrics = evaluate(examples, nlp)
    metrics["data"] = str(data)
    metrics["split"] = split
    metrics["model"] = str(model) if model else "rules pipeline (configs/rules.cfg)"
    typer.echo(format_metrics(metrics))
    if output is not None:
        with atomic_output(output) as stream:
            stream.write(json.dumps(metrics, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
