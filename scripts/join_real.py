"""Join standoff annotations of real letters with the letters' text.

Reads a standoff file (corpus/real_standoff.jsonl: case, sha256, spans, relations,
meta; no text) and a folder holding the letters as ``<case>.txt``, and writes
Prodigy-style lines with the text (corpus/README.md). A letter is refused when:

* its file is missing;
* its bytes do not hash to the standoff's sha256 (another version of the letter:
  the offsets would point at the wrong text);
* a span is malformed: out of the text's range, start >= end, an unknown label,
  or overlapping another span of its layer (entities may not overlap entities,
  items items, rationales rationales); or a relation points at a missing span or
  joins the wrong labels.

Every refusal names the letter (and the span). Nothing is written when any letter
is refused, unless ``--skip-bad`` is given (then the others are written and the
exit status is still 1).

    python scripts/join_real.py corpus/real_standoff.jsonl ../shared/real-letters/txt -o real.jsonl
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import typer


class JoinError(ValueError):
    """A standoff line that cannot be joined; the message names the letter."""


def read_lines(path: Path) -> List[Dict]:
    from pipeline.annotations import read_json_lines

    lines = []
    for n, line in read_json_lines(path, JoinError):
        if not isinstance(line, dict) or not isinstance(line.get("case"), str) or not isinstance(line.get("sha256"), str):
            raise JoinError(f"{path} line {n}: a standoff line needs 'case' and 'sha256' strings")
        lines.append(line)
    return lines


def join_line(line: Dict, folder: Path, nlp=None) -> Dict:
    """One Prodigy line: the standoff line with the letter's text; raises JoinError."""
    from pipeline.annotations import AnnotationError, add_relation_spans, add_token_indices, check_example, prodigy_tokens
    from pipeline.io import InputError, decode_text

    case = line["case"]
    path = folder / f"{case}.txt"
    if not path.is_file():
        raise JoinError(f"{case}: no file {path}")
    data = path.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != line["sha256"].lower():
        raise JoinError(
            f"{case}: {path} is not the annotated version of the letter: sha256 expected {line['sha256']}, found {found}. "
            "The offsets would point at the wrong text; get the letter as annotated, or annotate this version again."
        )
    try:
        text = decode_text(data, str(path))
    except InputError as err:
        raise JoinError(f"{case}: {err}") from err
    spans = [dict(s) for s in line.get("spans") or []]
    relations = [dict(r) for r in line.get("relations") or []]
    example = {"text": text, "meta": {**(line.get("meta") or {}), "case": case, "sha256": found}, "spans": spans, "relations": relations}
    try:
        check_example(example, case)
    except AnnotationError as err:
        raise JoinError(str(err)) from err
    if nlp is not None:
        tokens = prodigy_tokens(nlp, text)
        add_token_indices(spans, tokens)
        example = {"text": text, "meta": example["meta"], "tokens": tokens, "spans": spans, "relations": relations}
    add_relation_spans(example)
    return example


def join(standoff: Path, folder: Path, nlp=None) -> Tuple[List[Dict], List[str]]:
    """Joined lines and the refusals (messages naming the letters)."""
    joined, errors = [], []
    for line in read_lines(standoff):
        try:
            joined.append(join_line(line, folder, nlp))
        except JoinError as err:
            errors.append(str(err))
    return joined, errors


def main(
    standoff: Path = typer.Argument(..., exists=True, dir_okay=False, help="The standoff file (corpus/real_standoff.jsonl)."),
    folder: Path = typer.Argument(..., exists=True, file_okay=False, help="Folder holding the letters as <case>.txt."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Where to write the joined JSONL (standard output if not given)."),
    tokens: bool = typer.Option(False, help="Also write Prodigy 'tokens' and span token indices (loads the pipeline's tokenizer)."),
    skip_bad: bool = typer.Option(False, help="Write the letters that join, leaving out refused ones (the exit status is still 1)."),
) -> None:
    from pipeline.io import atomic_output, write_jsonl

    nlp = None
    if tokens:
        import pipeline

        nlp = pipeline.load()
    try:
        joined, errors = join(standoff, folder, nlp)
    except JoinError as err:
        typer.echo(f"refused: {err}", err=True)
        raise typer.Exit(1)
    for msg in errors:
        typer.echo(f"refused: {msg}", err=True)
    if errors and not skip_bad:
        typer.echo(f"{len(errors)} letter(s) refused; nothing written (use --skip-bad to write the other {len(joined)}).", err=True)
        raise typer.Exit(1)
    with atomic_output(output) as stream:
        write_jsonl(joined, stream)
    typer.echo(f"joined {len(joined)} letter(s){f' into {output}' if output else ''}", err=True)
    if errors:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
