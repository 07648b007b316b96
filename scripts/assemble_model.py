"""Join the trained entity recognizer to the rules pipeline and save the result.

The recognizer goes right after the two rulers. spaCy's ``ner`` keeps the
entities already set and only adds spans where there is none, so the rules win
wherever both speak, and the model adds the drugs and treatments the lexicon
lacks. The saved folder loads with ``spacy.load`` and ``imr extract --model``.

    python scripts/assemble_model.py training/ner/model-best training/rules-model
"""
from __future__ import annotations

from pathlib import Path

import spacy
import typer


def assemble(trained: Path, output: Path) -> None:
    import pipeline

    source = spacy.load(trained)
    if "tok2vec" in source.pipe_names:  # give ner its own copy of the shared tok2vec
        source.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
    nlp = pipeline.load()
    nlp.add_pipe("ner", source=source, after="imr_regex_ruler")
    nlp.to_disk(output)


def main(trained: Path = typer.Argument(..., exists=True), output: Path = typer.Argument(...)) -> None:
    assemble(trained, output)
    typer.echo(f"rules pipeline with the trained ner -> {output}")


if __name__ == "__main__":
    typer.run(main)
