"""Text extraction from letter PDFs with PDFium (pypdfium2).

PDFium was chosen by ``scripts/compare_pdf_extractors.py`` (see ``scripts/PDF_EXTRACTORS.md``):
on the real letters it keeps every decision and header line intact like ``pdftotext -layout``
and is 10-35x faster than the pure-Python extractors.

The text is PDFium's, lightly cleaned so it reads like ``pdftotext`` output: line breaks are
``\\n``, trailing spaces are dropped, a hyphen PDFium marks as a line-end hyphen (U+FFFE, the
line break removed) is written back as ``-`` plus line break, each page with text ends with
``\\n`` and pages are joined by a form feed ``\\f``. No OCR is done: a PDF without a text layer
is an error.

PDFs encrypted with an owner password only (empty user password, as all published letters
are) open normally; only PDFs that need a password to open are refused.
"""

from __future__ import annotations

import os
import re
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

__all__ = ["MESSAGES", "PdfError", "PdfText", "extract_pdf"]

# Error messages, to move into a central errors module later. Placeholders: {path} always,
# {detail}, {page}, {pages} where the code uses them.
MESSAGES: dict[str, str] = {
    "E201": "[E201] Cannot read PDF '{path}': the file is empty (0 bytes).",
    "E202": "[E202] Cannot read PDF '{path}': not a PDF file (no '%PDF-' header in its first 1024 bytes).",
    "E203": "[E203] Cannot read PDF '{path}': the file is corrupt or truncated ({detail}).",
    "E204": (
        "[E204] Cannot read PDF '{path}': the PDF is encrypted and needs a password to open. "
        "Passwords are not supported: pass a decrypted copy."
    ),
    "E205": "[E205] Cannot read PDF '{path}': the PDF is encrypted with an unsupported security handler.",
    "E206": "[E206] Cannot read PDF '{path}': the PDF has zero pages.",
    "E207": (
        "[E207] Cannot read PDF '{path}': no text layer on any of its {pages} page(s); it is "
        "image-only (e.g. scanned) and needs OCR, which this project does not do. "
        "Run OCR on it first (e.g. with ocrmypdf) and pass the OCRed PDF."
    ),
    "E208": "[E208] Cannot read PDF '{path}': page {page} of {pages} is corrupt ({detail}).",
    "E209": "[E209] Cannot read PDF '{path}': PDFium failed to open it ({detail}).",
}

_HEAD_BYTES = 1024  # a PDF header may follow junk bytes; readers look this far
_TAIL_BYTES = 1024  # the %%EOF marker must be this close to the end
_SOFT_HYPHEN = re.compile("\ufffe\n?")
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
    return PdfError(MESSAGES[code].format(path=str(path), **fields), code, str(path))


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
    build = str(getattr(pdfium.version.PDFIUM_INFO, "version", "")).split("@")[0]
    return f"pypdfium2 {ours} (PDFium {build})" if build else f"pypdfium2 {ours}"


EXTRACTOR = _extractor_name()


def _clean_page(raw: str) -> str:
    """PDFium page text -> pdftotext-like text ("\\n" breaks, no trailing spaces)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _SOFT_HYPHEN.sub("-\n", text)
    text = _TRAILING_SPACE.sub("", text)
    return text + "\n" if text and not text.endswith("\n") else text


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


def _page_text(doc: pdfium.PdfDocument, index: int, path: str | os.PathLike[str]) -> str:
    try:
        page = doc[index]
    except pdfium.PdfiumError as exc:
        raise _error("E208", path, page=index + 1, pages=len(doc), detail=str(exc)) from exc
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_range()
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
            pages = [_clean_page(_page_text(doc, i, path)) for i in range(n_pages)]
        finally:
            doc.close()
    if not any(page.strip() for page in pages):
        raise _error("E207", path, pages=n_pages)
    page_starts: list[int] = []
    offset = 0
    for page in pages:
        page_starts.append(offset)
        offset += len(page) + 1  # the "\f" after it
    return PdfText("\f".join(pages), page_starts, EXTRACTOR)
