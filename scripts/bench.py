"""Throughput and peak memory of the pipeline against spaCy's bare tokenizer, in one run.

Each measurement runs in a fresh process (so peak memory is its own) over the
same texts: the real letters beside the repository when they are there
(../shared/real-letters/txt), else the bundled examples, repeated to --letters.

    python scripts/bench.py [--letters 3000] [--texts DIR] [--output bench.json]
"""
from __future__ import annotations

import json
import multiprocessing as mp
import resource
import time
from pathlib import Path
from typing import Dict, List, Optional

import typer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEXTS = [ROOT.parent / "shared" / "real-letters" / "txt", ROOT / "examples"]


def load_texts(folder: Optional[Path], letters: int) -> tuple[List[str], str]:
    folders = [folder] if folder else DEFAULT_TEXTS
    for candidate in folders:
        files = sorted(candidate.glob("*.txt")) if candidate and candidate.is_dir() else []
        if files:
            base = [f.read_text(encoding="utf8") for f in files]
            return [base[i % len(base)] for i in range(letters)], f"{candidate} ({len(files)} letters)"
    raise typer.BadParameter("no letters found")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(kind: str, texts: List[str], n_process: int, queue) -> None:
    import spacy

    if kind == "tokenizer":
        nlp = spacy.blank("en")
        start = time.perf_counter()
        for _ in nlp.tokenizer.pipe(texts):
            pass
    elif kind == "extract":
        import pipeline
        from pipeline.extract import extract

        nlp = pipeline.load()
        start = time.perf_counter()
        for _ in extract(nlp, [(f"letter-{i}", t) for i, t in enumerate(texts)], n_process=n_process):
            pass
    else:
        import pipeline

        nlp = pipeline.load()
        start = time.perf_counter()
        for doc in nlp.pipe(texts, batch_size=64, n_process=n_process):
            doc._.record  # the record is what users get: build it
    elapsed = time.perf_counter() - start
    queue.put({"seconds": elapsed, "peak_mb": _peak_mb()})


def measure(kind: str, texts: List[str], n_process: int = 1) -> Dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(kind, texts, n_process, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def scaling(corpus: List[str]) -> None:
    """Time one text made of 1, 8 and 64 letters: linear work keeps seconds per letter flat."""
    import pipeline

    nlp = pipeline.load()
    nlp.max_length = 10**8
    base = corpus[0]
    nlp(base)._.record  # warm the tokenizer cache
    typer.echo(f"{'letters in one text':>20s} {'chars':>10s} {'seconds':>8s} {'ms per letter':>14s}")
    for n in (1, 8, 64):
        text = "\n\n".join([base] * n)
        start = time.perf_counter()
        nlp(text)._.record
        elapsed = time.perf_counter() - start
        typer.echo(f"{n:20d} {len(text):10,d} {elapsed:8.3f} {1000 * elapsed / n:14.2f}")


def main(
    letters: int = typer.Option(3000, help="How many letters to process (the texts repeated)."),
    texts: Optional[Path] = typer.Option(None, help="Folder of .txt letters to use."),
    output: Optional[Path] = typer.Option(None, help="Also write the figures as JSON here."),
    scale: bool = typer.Option(False, "--scaling", help="Only show how the time grows with the length of one text."),
) -> None:
    corpus, where = load_texts(texts, letters)
    if scale:
        scaling(corpus)
        return
    words = sum(len(t.split()) for t in corpus)
    typer.echo(f"texts: {where}, repeated to {len(corpus)} letters, {words:,} words")
    runs = {
        "spacy.blank('en') tokenizer": measure("tokenizer", corpus),
        "pipeline (n_process=1)": measure("pipeline", corpus, 1),
        "pipeline (n_process=2)": measure("pipeline", corpus, 2),
        "imr extract (1 process)": measure("extract", corpus, 1),
        "imr extract (2 processes)": measure("extract", corpus, 2),
    }
    base = runs["spacy.blank('en') tokenizer"]["seconds"]
    typer.echo(f"{'run':32s} {'letters/s':>10s} {'words/s':>11s} {'peak MB':>8s} {'ratio':>6s}")
    for name, r in runs.items():
        r["letters_per_s"] = len(corpus) / r["seconds"]
        r["words_per_s"] = words / r["seconds"]
        r["ratio_to_tokenizer"] = base / r["seconds"]
        typer.echo(
            f"{name:32s} {r['letters_per_s']:10.1f} {r['words_per_s']:11,.0f} {r['peak_mb']:8.0f} {r['ratio_to_tokenizer']:6.2f}"
        )
    typer.echo("ratio: throughput relative to spaCy's bare tokenizer on the same texts (>= 0.33 is the floor)")
    typer.echo("peak MB: the measuring process's peak resident memory (worker processes not included)")
    if output:
        output.write_text(json.dumps({"texts": where, "letters": len(corpus), "words": words, "runs": runs}, indent=2))


if __name__ == "__main__":
    typer.run(main)
