"""Agreement of records read from the real PDFs and from their pdftotext text, field by field.

    python scripts/pdf_agreement.py ../shared/real-letters

Reads DIR/pdf/*.pdf with the project's PDF reader and DIR/txt/*.txt, runs the
pipeline on both, and compares every record field except offsets, the source
and the extractor. Prints only figures and field names, never letter text.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, Tuple

import typer


def fields(record: Dict) -> Iterator[Tuple[str, object]]:
    """(field name, value) pairs of a record, offsets left out."""
    yield "layout", record["layout"]
    for key, value in record["case"].items():
        yield f"case.{key}", value
    yield "patient", record["patient"]
    yield "reviewer", record["reviewer"]
    yield "item count", len(record["items"])
    for i, item in enumerate(record["items"]):
        for key in ("request", "drug", "strength", "quantity", "treatment", "decision", "medically_necessary", "guidelines", "ur_modification", "page"):
            yield f"item.{key}", (i, item[key])


def main(folder: Path, show: int = typer.Option(5, help="How many differing letters to name per field.")) -> None:
    import pipeline
    from pipeline.extract import extract

    nlp = pipeline.load()
    pdfs = sorted((folder / "pdf").glob("*.pdf"))
    pairs = [(p, folder / "txt" / f"{p.stem}.txt") for p in pdfs if (folder / "txt" / f"{p.stem}.txt").exists()]
    rows = list(extract(nlp, [str(x) for pair in pairs for x in pair]))
    same: Counter = Counter()
    total: Counter = Counter()
    where: Dict[str, list] = {}
    letters_equal = 0
    for k, (pdf, _) in enumerate(pairs):
        from_pdf, from_txt = rows[2 * k], rows[2 * k + 1]
        if "error" in from_pdf or "error" in from_txt:
            total["readable"] += 1
            where.setdefault("readable", []).append(pdf.stem)
            continue
        equal = True
        for (name, va), (_, vb) in zip(fields(from_pdf), fields(from_txt)):
            total[name] += 1
            if va == vb:
                same[name] += 1
            else:
                equal = False
                where.setdefault(name, []).append(pdf.stem)
        letters_equal += equal
    print(f"letters: {len(pairs)}; records equal in every compared field: {letters_equal}/{len(pairs)}")
    for name in total:
        print(f"{name:28s} {same[name]}/{total[name]}  {', '.join(sorted(set(where.get(name, [])))[:show])}")


if __name__ == "__main__":
    typer.run(main)
