"""Reading letters and writing records.

Readers turn one input (a .txt or .pdf file, or standard input) into text, or
raise ``InputError`` with a message naming the input. Writers are atomic: they
write to a temporary file beside the target and rename it into place, so a
crash never leaves a half-written output.
"""
from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, TextIO, Union

from .errors import Errors

SUFFIXES = (".txt", ".pdf")
STDIN = "<stdin>"


class InputError(ValueError):
    """One input could not be read as a letter; the message names it."""


def decode_text(data: bytes, source: str) -> str:
    """Bytes of a text letter as str, refusing empty, binary and non-UTF-8 data."""
    if not data:
        raise InputError(Errors.E101.format(path=source))
    if b"\x00" in data[:65536]:
        raise InputError(Errors.E103.format(path=source))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(Errors.E104.format(path=source, offset=err.start)) from err
    if not text.strip():
        raise InputError(Errors.E102.format(path=source))
    return text


class Letter(NamedTuple):
    """A letter's text and, for a PDF, the extractor that made it."""

    source: str
    text: str
    extractor: Optional[str] = None


def read_letter(path: Union[str, Path]) -> str:
    """The text of one letter file (.txt, or .pdf through the PDF reader)."""
    return read_document(path).text


def read_document(path: Union[str, Path]) -> Letter:
    """One letter file as a ``Letter``; raises ``InputError`` naming the file."""
    path = Path(path)
    source = str(path)
    if not path.exists():
        raise InputError(Errors.E107.format(path=source))
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from .pdf import PdfError, extract_pdf

        try:
            pdf = extract_pdf(path)
        except PdfError as err:
            raise InputError(str(err)) from err
        except OSError as err:
            raise InputError(Errors.E109.format(path=source, reason=err.strerror or err)) from err
        return Letter(source, pdf.text, pdf.extractor)
    if suffix not in SUFFIXES:
        raise InputError(Errors.E108.format(path=source, suffix=suffix or "(none)"))
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(Errors.E109.format(path=source, reason=err.strerror or err)) from err
    return Letter(source, decode_text(data, source))


def expand_inputs(inputs: Iterable[str]) -> List[str]:
    """Files named by the inputs: files as given, folders searched recursively, "-" for stdin."""
    found: List[str] = []
    for item in inputs:
        if item == "-":
            found.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not files:
                raise InputError(Errors.E306.format(path=item))
            found.extend(str(p) for p in files)
        else:
            found.append(item)
    return found


def read_input(item: str, stdin: Optional[TextIO] = None) -> Letter:
    """One expanded input (a path or "-") as a ``Letter``; raises InputError."""
    if item == "-":
        stream = stdin if stdin is not None else sys.stdin
        data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf8")
        return Letter(STDIN, decode_text(data, STDIN))
    return read_document(item)


@contextmanager
def atomic_output(path: Optional[Union[str, Path]]) -> Iterator[TextIO]:
    """A text stream that becomes ``path`` only when the block ends without error.

    With no path, the stream is standard output.
    """
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; outputs are ordinary files
    try:
        with os.fdopen(fd, "w", encoding="utf8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl(records: Iterable[Dict], stream: TextIO) -> None:
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")


CSV_COLUMNS = [
    "source", "layout", "error", "case_number", "date_assigned", "decision_date",
    "date_of_injury", "ur_decision_date", "application_date", "patient_age", "patient_sex",
    "reviewer_specialties", "reviewer_licensure_states", "item", "request", "start", "end",
    "drug", "drug_name", "strength", "strength_values", "strength_unit", "quantity",
    "quantity_value", "treatment", "decision", "medically_necessary",
    "claims_administrator_guidelines", "reviewer_guidelines", "ur_original", "ur_authorized",
    "warnings",
]


def _citations(item: Dict, party: str) -> str:
    parts = []
    for g in item["guidelines"]:
        if g["cited_by"] == party:
            bits = [g["source"], g["topic"] or "", f"p. {g['pages']}" if g["pages"] else ""]
            parts.append(", ".join(b for b in bits if b))
    return " | ".join(parts)


def csv_rows(record: Dict) -> List[Dict]:
    """One CSV row per item, the letter's fields repeated; one row for a letter without items."""
    if "error" in record:
        return [{"source": record["source"], "error": record["error"]}]
    case, patient, reviewer = record["case"], record["patient"], record["reviewer"]
    letter = {
        "source": record["source"], "layout": record["layout"], **case,
        "patient_age": patient["age"], "patient_sex": patient["sex"],
        "reviewer_specialties": "; ".join(reviewer["specialties"]),
        "reviewer_licensure_states": "; ".join(reviewer["licensure_states"]),
    }
    rows = []
    for i, item in enumerate(record["items"], start=1):
        drug, strength, quantity = item["drug"] or {}, item["strength"] or {}, item["quantity"] or {}
        mod = item["ur_modification"] or {}
        rows.append({
            **letter, "item": i, "request": item["request"], "start": item["start"], "end": item["end"],
            "drug": drug.get("text"), "drug_name": drug.get("name"),
            "strength": strength.get("text"),
            "strength_values": "/".join(str(v) for v in strength.get("values", [])) or None,
            "strength_unit": strength.get("unit"), "quantity": quantity.get("text"),
            "quantity_value": quantity.get("value"),
            "treatment": (item["treatment"] or {}).get("name"),
            "decision": item["decision"], "medically_necessary": item["medically_necessary"],
            "claims_administrator_guidelines": _citations(item, "claims_administrator"),
            "reviewer_guidelines": _citations(item, "reviewer"),
            "ur_original": mod.get("original"), "ur_authorized": mod.get("authorized"),
            "warnings": " | ".join(item["warnings"] + record["warnings"]),
        })
    return rows or [{**letter, "warnings": " | ".join(record["warnings"])}]


def write_csv(records: Iterable[Dict], stream: TextIO) -> None:
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerows(csv_rows(record))
