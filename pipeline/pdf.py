"""Text extraction from letter PDFs with PDFium (pypdfium2).

PDFium was chosen by ``scripts/compare_pdf_extractors.py`` (see ``scripts/PDF_EXTRACTORS.md``):
on the real letters it keeps every decision and header line intact like ``pdftotext -layout``
and is 8-30x faster than the pure-Python extractors (pypdf, pdfplumber, pdfminer.six).

The text is PDFium's, lightly cleaned so it reads like ``pdftotext -layout`` output: line
breaks are ``\\n``, trailing spaces are dropped, a hyphen PDFium marks as a line-end hyphen
(U+FFFE, the line break removed) is written back as ``-`` plus line break, a blank line marks
a vertical gap between lines (a paragraph break: PDFium gives none, pdftotext does, and item
boundaries in the letters depend on it), each page with text ends with ``\\n`` and pages are
joined by a form feed ``\\f``. No OCR is done: a PDF without a text layer is an error.

PDFs encrypted with an owner password only (empty user password, as all published letters
are) open normally; only PDFs that need a password to open are refused. A PDF with text on
some pages only is read (its pages without text come out empty); one with no text at all is
refused as needing OCR.
"""

from __future__ import annotations

import ctypes
import os
import re
import statistics
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .errors import Errors

__all__ = ["PdfError", "PdfText", "extract_pdf"]

_HEAD_BYTES = 1024  # a PDF header may follow junk bytes; readers look this far
_TAIL_BYTES = 1024  # the %%EOF marker must be this close to the end
_BREAK = re.compile(r"\r\n|\r|\n")
_SOFT_HYPHEN = re.compile("\ufffe\n?")
# A blank line goes between two lines whose baselines are further apart than this many times
# the document's usual line pitch. On the real letters: 1.0 in running text, <= 1.5 in the
# header table, >= 1.95 between paragraphs (where pdftotext -layout prints a blank line).
_PARAGRAPH_GAP = 1.7
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.M)
_LOCK = threading.Lock()  # PDFium is not thread-safe


class PdfError(ValueError):
    """A PDF that cannot be turned into text; ``code`` is the message key (e.g. "E204")."""

    def __init__(self, message: str, code: str = "", path: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.path = path

    def __reduce__(self) -> tuple[type[PdfError], tuple[str, str, str]]:
        return type(self), (str(self), self.code, self.path)  # picklable across processes


def _error(code: str, path: str | os.PathLike[str], **fields: object) -> PdfError:
    return PdfError(getattr(Errors, code).format(path=str(path), **fields), code, str(path))


class PdfText(NamedTuple):
    """Text of a PDF: pages joined by "\\f", where each page starts, and who extracted it."""

    text: str
    page_starts: list[int]
    extractor: str


def _extractor_name() -> str:
    try:
        ours = version("pypdfium2")
    except PackageNotFoundError:  # pragma: no cover - vendored or odd installs
        ours = str(pdfium.version.PYPDFIUM_INFO)
    info = getattr(getattr(pdfium, "version", None), "PDFIUM_INFO", None)
    build = str(getattr(info, "version", "")).split("@")[0]
    return f"pypdfium2 {ours} (PDFium {build})" if build else f"pypdfium2 {ours}"


EXTRACTOR = _extractor_name()


class _Line(NamedTuple):
    """One line of PDFium text and the baselines (PDF units, y up) of its first/last glyph."""

    text: str
    first_y: float | None
    last_y: float | None


def _clean_page(lines: list[_Line], pitch: float | None) -> str:
    """PDFium lines -> pdftotext-like page text (see the module docstring)."""
    out: list[str] = []
    prev: _Line | None = None
    for line in lines:
        if line.first_y is None:  # a line with no glyph (or no position): keep as it is
            out.append(line.text)
            continue
        if (
            pitch
            and prev is not None
            and prev.last_y is not None
            and prev.last_y - line.first_y > _PARAGRAPH_GAP * pitch
            and out
            and out[-1].strip()
        ):
            out.append("")
        out.append(line.text)
        prev = line
    text = _SOFT_HYPHEN.sub("-\n", "\n".join(out))
    text = _TRAILING_SPACE.sub("", text).strip("\n")
    return text + "\n" if text else text


def _line_pitch(pages: list[list[_Line]]) -> float | None:
    """The document's usual distance between the baselines of consecutive lines.

    The median of the steps near the low end (10th percentile to 1.5 times it), so that
    paragraph gaps do not count even in a short document, and a few odd small steps
    (superscripts, table cells) do not decide it.
    """
    steps = []
    for lines in pages:
        placed = [line for line in lines if line.first_y is not None and line.last_y is not None]
        for prev, line in zip(placed, placed[1:], strict=False):
            step = prev.last_y - line.first_y  # type: ignore[operator]
            if step > 1.0:  # not the same baseline, not a move up the page
                steps.append(step)
    if not steps:
        return None
    steps.sort()
    low = steps[len(steps) // 10]
    return statistics.median(step for step in steps if low <= step <= 1.5 * low)


def _check_bytes(data: bytes, path: str | os.PathLike[str]) -> None:
    if not data:
        raise _error("E201", path)
    if b"%PDF-" not in data[:_HEAD_BYTES]:
        raise _error("E202", path)
    if b"%%EOF" not in data[-_TAIL_BYTES:]:
        # PDFium rebuilds a broken cross-reference table and may then return part of the text.
        raise _error("E203", path, detail="no %%EOF marker at the end: the file looks truncated")


def _open(data: bytes, path: str | os.PathLike[str]) -> pdfium.PdfDocument:
    """Open ``data`` with PDFium; the caller keeps ``data`` alive until the document is closed.

    The raw API is used because pypdfium2 treats a zero-page document as a load failure and
    then reports PDFium's last error code, which is stale (left over from an earlier file).
    """
    raw = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not raw:
        err = pdfium_c.FPDF_GetLastError()  # set by PDFium on every failed load
        if err == pdfium_c.FPDF_ERR_PASSWORD:
            raise _error("E204", path)
        if err == pdfium_c.FPDF_ERR_SECURITY:
            raise _error("E205", path)
        if err in (pdfium_c.FPDF_ERR_FORMAT, pdfium_c.FPDF_ERR_FILE):
            raise _error("E203", path, detail="PDFium: data format error")
        raise _error("E209", path, detail=f"PDFium error code {err}")
    return pdfium.PdfDocument(raw)


def _baseline(textpage: pdfium.PdfTextPage, index: int) -> float | None:
    x, y = ctypes.c_double(), ctypes.c_double()
    ok = pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
    return y.value if ok else None


def _split_lines(textpage: pdfium.PdfTextPage) -> list[_Line]:
    n_chars = textpage.count_chars()
    # An explicit range: pypdfium2 4.x sends a call with default arguments to get_text_bounded().
    raw = textpage.get_text_range(0, n_chars) if n_chars > 0 else ""
    # Text and char indices agree unless PDFium dropped or added chars (rare): then no positions.
    placed = len(raw) == n_chars
    lines = []
    start = 0
    for end, nxt in [(m.start(), m.end()) for m in _BREAK.finditer(raw)] + [(len(raw), len(raw))]:
        text = raw[start:end]
        first_y = last_y = None
        if placed and text.strip():
            first_y = _baseline(textpage, start + len(text) - len(text.lstrip()))
            last_y = _baseline(textpage, start + len(text.rstrip()) - 1)
        lines.append(_Line(text, first_y, last_y))
        start = nxt
    return lines


def _page_lines(doc: pdfium.PdfDocument, index: int, path: str | os.PathLike[str]) -> list[_Line]:
    try:
        page = doc[index]
    except pdfium.PdfiumError as exc:
        raise _error("E208", path, page=index + 1, pages=len(doc), detail=str(exc)) from exc
    try:
        textpage = page.get_textpage()
        try:
            return _split_lines(textpage)
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise _error("E208", path, page=index + 1, pages=len(doc), detail=str(exc)) from exc
    finally:
        page.close()


def extract_pdf(path: str | os.PathLike[str]) -> PdfText:
    """Extract the text of the PDF at ``path``.

    Raises ``PdfError`` (a ``ValueError``) for empty, non-PDF, corrupt or truncated files,
    PDFs that need a password, zero-page PDFs and PDFs without any text (OCR needed);
    ``OSError`` if the file cannot be read.
    """
    data = Path(path).read_bytes()
    _check_bytes(data, path)
    with _LOCK:
        doc = _open(data, path)
        try:
            n_pages = len(doc)
            if n_pages == 0:
                raise _error("E206", path)
            lines = [_page_lines(doc, i, path) for i in range(n_pages)]
        finally:
            doc.close()
    pitch = _line_pitch(lines)
    pages = [_clean_page(page_lines, pitch) for page_lines in lines]
    if not any(page.strip() for page in pages):
        raise _error("E207", path, pages=n_pages)
    page_starts: list[int] = []
    offset = 0
    for page in pages:
        page_starts.append(offset)
        offset += len(page) + 1  # the "\f" after it
    return PdfText("\f".join(pages), page_starts, EXTRACTOR)
