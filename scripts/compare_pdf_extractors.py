"""Compare Python PDF text extractors against poppler's ``pdftotext -layout`` text.

Usage::

    python scripts/compare_pdf_extractors.py ../shared/real-letters [--out table.md]

``ROOT`` must hold ``pdf/NAME.pdf`` and ``txt/NAME.txt`` (the pdftotext reference).
Only aggregate figures are printed (a markdown table); no letter text is written anywhere.

Measures, per extractor and mode:
- time: wall-clock seconds to open and extract every page of every PDF (best of --repeat);
- word seq: difflib.SequenceMatcher ratio on whitespace-separated word lists, micro-averaged
  over all letters (= F1 of words matched in order); "worst" is the lowest per-letter ratio;
- word bag F1: order-free word F1 (multiset intersection), micro-averaged;
- all lines intact: share of the reference's distinct non-blank lines (whitespace-normalized)
  found as a whole line in the extraction;
- paragraph breaks F1: blank lines between consecutive lines (matched in both texts, page by
  page) that pdftotext prints where the text has a vertical gap; item boundaries depend on them;
- decision lines: reference lines "<item>: Upheld|Overturned" found as a whole line
  (whitespace-normalized) in the extraction;
- DOI / case no.: "Date of Injury:" / "Case Number:" found on one line followed by the same
  value as in the reference;
- pages: letters whose page count (form-feed separated) equals the reference's.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from importlib.metadata import version
from pathlib import Path
from typing import Literal

Extractor = Callable[[Path], list[str]]

DECISION_RE = re.compile(r"^[ \t\f]*(\S.*?):[ \t]*(Upheld|Overturned)[ \t]*$", re.M)
LINE_SPLIT = re.compile(r"[\n\f]")
FIELD_RES = {
    "doi": re.compile(r"Date of Injury:\s*(\S+)"),
    "case": re.compile(r"Case Number:\s*(\S+)"),
}


def _norm_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def pdfplumber_pages(layout: bool) -> Extractor:
    import pdfplumber

    def run(path: Path) -> list[str]:
        out = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                out.append(page.extract_text(layout=layout) or "")
                page.close()
        return out

    return run


def pypdf_pages(mode: Literal["plain", "layout"]) -> Extractor:
    from pypdf import PdfReader

    def run(path: Path) -> list[str]:
        reader = PdfReader(path)
        return [page.extract_text(extraction_mode=mode) or "" for page in reader.pages]

    return run


def pdfminer_pages(path: Path) -> list[str]:
    from pdfminer.high_level import extract_text

    text = extract_text(str(path))
    pages = text.split("\f")
    if pages and pages[-1] == "":
        pages.pop()
    return pages


def pdfium_pages(bounded: bool) -> Extractor:
    import pypdfium2 as pdfium

    def run(path: Path) -> list[str]:
        doc = pdfium.PdfDocument(str(path))
        try:
            out = []
            for page in doc:
                textpage = page.get_textpage()
                raw = textpage.get_text_bounded() if bounded else textpage.get_text_range()
                out.append(_norm_newlines(raw))
                textpage.close()
                page.close()
            return out
        finally:
            doc.close()

    return run


def pipeline_pages(path: Path) -> list[str]:
    """The project's own reader (pipeline/pdf.py), to measure what it ships."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from pipeline.pdf import extract_pdf

    return extract_pdf(path).text.split("\f")


def extractors() -> dict[str, Extractor]:
    """Name -> extractor; the name carries the library version."""
    v = {d: version(d) for d in ("pdfplumber", "pypdf", "pdfminer.six", "pypdfium2")}
    return {
        f"pdfplumber {v['pdfplumber']} extract_text()": pdfplumber_pages(False),
        f"pdfplumber {v['pdfplumber']} extract_text(layout=True)": pdfplumber_pages(True),
        f"pypdf {v['pypdf']} plain": pypdf_pages("plain"),
        f"pypdf {v['pypdf']} layout": pypdf_pages("layout"),
        f"pdfminer.six {v['pdfminer.six']} extract_text()": pdfminer_pages,
        f"pypdfium2 {v['pypdfium2']} get_text_range()": pdfium_pages(False),
        f"pypdfium2 {v['pypdfium2']} get_text_bounded()": pdfium_pages(True),
        "pipeline.pdf.extract_pdf (pypdfium2 get_text_range() + cleanup)": pipeline_pages,
    }


@dataclass
class Score:
    seconds: float = 0.0
    errors: int = 0
    matched: int = 0
    ref_words: int = 0
    hyp_words: int = 0
    bag_matched: int = 0
    worst: float = 1.0
    decisions: list[int] = field(default_factory=lambda: [0, 0])
    fields: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in FIELD_RES})
    pages: list[int] = field(default_factory=lambda: [0, 0])
    lines: list[int] = field(default_factory=lambda: [0, 0])
    breaks: list[int] = field(default_factory=lambda: [0, 0, 0])  # tp, fp, fn


def _lines(text: str) -> set[str]:
    return {" ".join(line.split()) for line in LINE_SPLIT.split(text)}


def _flagged_lines(page: str) -> list[tuple[str, bool]]:
    """Non-blank lines (whitespace-normalized), each with whether a blank line precedes it."""
    out: list[tuple[str, bool]] = []
    blank = False
    for line in page.split("\n"):
        norm = " ".join(line.split())
        if norm:
            out.append((norm, blank))
            blank = False
        else:
            blank = bool(out)
    return out


def score_breaks(score: Score, ref: str, hyp: str) -> None:
    """Count blank lines (paragraph breaks) between lines matched in both texts, page by page."""
    for ref_page, hyp_page in zip(ref.split("\f"), hyp.split("\f"), strict=False):
        r, h = _flagged_lines(ref_page), _flagged_lines(hyp_page)
        sm = SequenceMatcher(None, [x[0] for x in r], [x[0] for x in h], autojunk=False)
        for a, b, size in sm.get_matching_blocks():
            for k in range(1, size):
                want, got = r[a + k][1], h[b + k][1]
                score.breaks[0] += want and got
                score.breaks[1] += got and not want
                score.breaks[2] += want and not got


def score_letter(score: Score, ref: str, hyp: str) -> None:
    """Add one letter's comparison to ``score`` (reference ``ref``, extraction ``hyp``)."""
    ref_w, hyp_w = ref.split(), hyp.split()
    sm = SequenceMatcher(None, ref_w, hyp_w, autojunk=False)
    m = sum(b.size for b in sm.get_matching_blocks())
    score.matched += m
    score.ref_words += len(ref_w)
    score.hyp_words += len(hyp_w)
    total = len(ref_w) + len(hyp_w)
    score.worst = min(score.worst, 2 * m / total if total else 1.0)
    score.bag_matched += sum((Counter(ref_w) & Counter(hyp_w)).values())

    hyp_lines = _lines(hyp)
    ref_lines = [line for line in _lines(ref) if line]
    score.lines[0] += sum(line in hyp_lines for line in ref_lines)
    score.lines[1] += len(ref_lines)
    score_breaks(score, ref, hyp)
    for mt in DECISION_RE.finditer(ref):
        score.decisions[1] += 1
        score.decisions[0] += " ".join(mt.group(0).split()) in hyp_lines
    hyp_raw_lines = LINE_SPLIT.split(hyp)
    for key, rx in FIELD_RES.items():
        for mt in rx.finditer(ref):
            score.fields[key][1] += 1
            want = re.compile(re.escape(mt.group(0).split(":")[0]) + r":\s*" + re.escape(mt.group(1)) + r"(\s|$)")
            score.fields[key][0] += any(want.search(line) for line in hyp_raw_lines)
    ref_pages = ref.count("\f") if ref.endswith("\f") else ref.count("\f") + 1  # pdftotext: one \f per page
    hyp_pages = len(hyp.split("\f"))
    score.pages[1] += 1
    score.pages[0] += ref_pages == hyp_pages


def _frac(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]}"


def table(scores: dict[str, Score], n: int) -> str:
    """Render the scores as a markdown table."""
    head = (
        "| extractor | time (s, all letters) | word seq ratio | worst letter | word bag F1 "
        "| all lines intact | paragraph breaks F1 | decision lines intact | Date of Injury: + value "
        "| Case Number: + value | page count = ref | errors |"
    )
    rows = [head, "|" + "---|" * 12]
    for name, s in scores.items():
        tot = s.ref_words + s.hyp_words
        seq = 2 * s.matched / tot if tot else 0.0
        bag = 2 * s.bag_matched / tot if tot else 0.0
        tp, fp, fn = s.breaks
        brk = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        rows.append(
            f"| {name} | {s.seconds:.1f} | {seq:.4f} | {s.worst:.3f} | {bag:.4f} "
            f"| {s.lines[0] / max(1, s.lines[1]):.4f} | {brk:.3f} | {_frac(s.decisions)} "
            f"| {_frac(s.fields['doi'])} | {_frac(s.fields['case'])} "
            f"| {_frac(s.pages)} | {s.errors} |"
        )
    return "\n".join(rows) + f"\n\n{n} letters; reference: pdftotext -layout (poppler).\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", type=Path, help="folder with pdf/ and txt/")
    ap.add_argument("--repeat", type=int, default=1, help="time each extractor N times, keep the best")
    ap.add_argument("--limit", type=int, default=0, help="only the first N letters (0 = all)")
    ap.add_argument("--only", default="", help="only extractors whose name contains this")
    ap.add_argument("--out", type=Path, help="also write the table to this file")
    args = ap.parse_args(argv)
    # pdfminer warns on every letter that the PDF asks not to allow text extraction.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

    pdfs = sorted((args.root / "pdf").glob("*.pdf"))
    if args.limit:
        pdfs = pdfs[: args.limit]
    refs = {p: (args.root / "txt" / (p.stem + ".txt")).read_text(encoding="utf-8", errors="replace") for p in pdfs}

    scores: dict[str, Score] = {}
    for name, fn in extractors().items():
        if args.only and args.only not in name:
            continue
        score = Score(seconds=float("inf"))
        texts: dict[Path, str] = {}
        fn(pdfs[0])  # warm-up: imports and lazy initialisation are not timed
        for _ in range(max(1, args.repeat)):
            errors = 0
            t0 = time.perf_counter()
            for p in pdfs:
                try:
                    texts[p] = "\f".join(fn(p))
                except Exception:  # noqa: BLE001 - counted, not fatal, in a benchmark
                    errors += 1
                    texts[p] = ""
            score.seconds = min(score.seconds, time.perf_counter() - t0)
            score.errors = errors
        for p in pdfs:
            score_letter(score, refs[p], texts[p])
        scores[name] = score
        print(f"done: {name} ({score.seconds:.1f}s)", file=sys.stderr)

    out = table(scores, len(pdfs))
    print(out)
    if args.out:
        args.out.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
