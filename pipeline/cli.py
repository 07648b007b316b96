"""The ``imr`` command line: thin typer commands over plain functions."""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Read IMR determination letters into structured records.")


class Format(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


def _load(model: Optional[Path]):
    from . import load

    return load(model)


@app.command()
def extract(
    inputs: List[str] = typer.Argument(..., help="Letter files (.txt, .pdf), folders (searched recursively), or - for stdin."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output file; standard output when omitted."),
    fmt: Format = typer.Option(Format.jsonl, "--format", "-f", help="jsonl: one record per letter; csv: one row per item."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="A saved pipeline to use instead of the rules pipeline."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes."),
) -> None:
    """Extract one record per letter. Exit status 1 when any input failed."""
    from .extract import extract as run
    from .io import InputError, atomic_output, expand_inputs, write_csv, write_jsonl

    try:
        files = expand_inputs(inputs)
    except InputError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1)
    nlp = _load(model)
    model_name = str(model) if model is not None else None
    failed = 0

    def counted(records):
        nonlocal failed
        for record in records:
            if "error" in record:
                failed += 1
                typer.echo(record["error"], err=True)
            yield record

    writer = write_csv if fmt == Format.csv else write_jsonl
    with atomic_output(output) as stream:
        if len(files) > 1:
            with typer.progressbar(length=len(files), label="letters", file=sys.stderr) as bar:
                writer(counted(run(nlp, files, n_process=n_process, model=model_name, on_done=bar.update)), stream)
        else:
            writer(counted(run(nlp, files, n_process=n_process, model=model_name)), stream)
    if failed:
        typer.echo(f"{failed} of {len(files)} inputs failed.", err=True)
        raise typer.Exit(1)


@app.command()
def show(
    path: str = typer.Argument(..., help="One letter (.txt or .pdf), or - for stdin."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write displaCy HTML of the letter's entities here."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="A saved pipeline to use instead of the rules pipeline."),
) -> None:
    """Print one letter's record readably."""
    from .io import InputError, atomic_output, read_input
    from .show import render_html, summarize

    try:
        letter = read_input(path)
    except InputError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1)
    nlp = _load(model)
    doc = nlp(letter.text)
    doc._.source = letter.source
    doc._.extractor = letter.extractor
    record = doc._.record
    typer.echo(summarize(record))
    if html is not None:
        with atomic_output(html) as stream:
            stream.write(render_html(doc))
        typer.echo(f"displaCy HTML written to {html}", err=True)


@app.command()
def evaluate(
    data: Path = typer.Argument(..., exists=True, dir_okay=False, help="Annotated corpus JSONL (with text); see corpus/README.md."),
    split: Optional[str] = typer.Option(None, help="Score only lines of this split (train, dev, test)."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Also score this saved pipeline, beside the rules pipeline."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the metrics as JSON here."),
) -> None:
    """Score the rules pipeline (and a trained one) on annotated letters, side by side."""
    from . import load
    from .annotations import AnnotationError, read_corpus
    from .evaluate import evaluate as score, format_comparison, format_metrics
    from .io import atomic_output

    try:
        examples = read_corpus(data, split)
    except AnnotationError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1)
    if not examples:
        typer.echo(f"{data}: no annotated letters" + (f" in split {split!r}" if split else ""), err=True)
        raise typer.Exit(1)
    results = {"rules": score(examples, load())}
    if model is not None:
        results["rules+model"] = score(examples, load(model))
    for name, metrics in results.items():
        typer.echo(f"== {name}\n{format_metrics(metrics)}\n")
    if len(results) > 1:
        typer.echo(format_comparison(results))
    if output is not None:
        with atomic_output(output) as stream:
            stream.write(json.dumps({"data": str(data), "split": split, "results": results}, indent=2) + "\n")


@app.command()
def schema() -> None:
    """Print the record's JSON Schema."""
    from .record import load_schema

    typer.echo(json.dumps(load_schema(), indent=2))


if __name__ == "__main__":  # pragma: no cover
    app()
