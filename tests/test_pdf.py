"""Tests for pipeline.pdf on small synthetic PDFs written at test time (fpdf2)."""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF
from fpdf.enums import EncryptionMethod
from PIL import Image

from pipeline.errors import Errors
from pipeline.pdf import PdfError, PdfText, extract_pdf

# A made-up letter in the style of the published ones (no real letter text).
PAGE_1 = """Case Number: CM00-0000001
Date Assigned: 01/05/2016 Date of Injury: 03/14/2012
Decision Date: 02/02/2016 UR Denial Date: 12/18/2015
HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the complete case file to an expert reviewer.
CLINICAL CASE SUMMARY
The injured worker is a 52-year-old female who sustained an industrial injury
on March 14, 2012. She reports chronic low back pain radiating to the left leg.
On December 18, 2015, Utilization Review non-certified a request for
carisoprodol 350mg #60 and physical therapy 2x6 for the lumbar spine.
IMR ISSUES, DECISIONS AND RATIONALES
Carisoprodol 350mg tablet, #60: Overturned
Claims Administrator guideline: Decision based on MTUS Chronic Pain Guidelines.
MAXIMUS guideline: Decision based on MTUS Muscle relaxants, Page(s): 63-66."""

PAGE_2 = """Decision rationale: A short course is supported after an acute flare-up.
The request for Carisoprodol 350mg tablet, #60 IS medically necessary.
Physical therapy 2x6 for the lumbar spine: Upheld
Claims Administrator guideline: Decision based on MTUS Physical Medicine.
Decision rationale: The worker completed 24 visits without lasting benefit.
The request for physical therapy 2x6 IS NOT medically necessary."""


def _text_pdf(pages: list[str], **encryption: Any) -> bytes:
    """A PDF with one line of Helvetica text per line of each page's text."""
    pdf = FPDF(format="letter")
    pdf.set_font("Helvetica", size=10)
    if encryption:
        pdf.set_encryption(**encryption)
    for page in pages:
        pdf.add_page()
        for line in page.split("\n"):
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _write(tmp_path: Path, data: bytes, name: str = "letter.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _raw_pdf(*objects: bytes) -> bytes:
    """A hand-made PDF from object bodies (object 1 is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.replace("\f", "\n").split("\n")]


def _raises(path: Path, code: str) -> PdfError:
    with pytest.raises(PdfError) as info:
        extract_pdf(path)
    err = info.value
    assert err.code == code
    assert str(err).startswith(f"[{code}] ")
    assert path.name in str(err)
    return err


# --- text PDFs ---------------------------------------------------------------------------


def test_two_page_letter_round_trips(tmp_path: Path) -> None:
    result = extract_pdf(_write(tmp_path, _text_pdf([PAGE_1, PAGE_2])))
    assert isinstance(result, PdfText)
    lines = _lines(result.text)
    assert "Carisoprodol 350mg tablet, #60: Overturned" in lines
    assert "Physical therapy 2x6 for the lumbar spine: Upheld" in lines
    assert "Case Number: CM00-0000001" in lines
    # Every line written comes back as a line, in order, with nothing added.
    assert result.text == PAGE_1 + "\n\f" + PAGE_2 + "\n"


def test_pages_are_joined_by_form_feed(tmp_path: Path) -> None:
    result = extract_pdf(_write(tmp_path, _text_pdf([PAGE_1, PAGE_2])))
    assert len(result.page_starts) == 2
    assert result.page_starts[0] == 0
    assert result.text.count("\f") == 1
    start = result.page_starts[1]
    assert result.text[start - 1] == "\f"
    assert result.text[start:].startswith("Decision rationale: A short course")
    assert result.text[:start].rstrip("\f").endswith("Page(s): 63-66.\n")
    assert "\r" not in result.text


def test_one_page_has_one_start_and_no_form_feed(tmp_path: Path) -> None:
    result = extract_pdf(_write(tmp_path, _text_pdf([PAGE_2])))
    assert result.page_starts == [0]
    assert "\f" not in result.text
    assert result.text.endswith("IS NOT medically necessary.\n")


def test_accepts_str_path_and_names_extractor(tmp_path: Path) -> None:
    path = _write(tmp_path, _text_pdf([PAGE_2]))
    result = extract_pdf(str(path))
    assert result == extract_pdf(path)
    assert result.extractor.startswith("pypdfium2 ")
    assert any(ch.isdigit() for ch in result.extractor)


def test_line_end_hyphen_is_kept_with_its_line_break(tmp_path: Path) -> None:
    # PDFium reports a hyphen ending a line as U+FFFE and drops the line break.
    page = "Utilization Review non-\ncertified the request for an anti-\ninflammatory."
    result = extract_pdf(_write(tmp_path, _text_pdf([page])))
    assert "\ufffe" not in result.text
    assert "non-\ncertified" in result.text
    assert "anti-\ninflammatory." in result.text


def test_paragraph_gap_gives_one_blank_line(tmp_path: Path) -> None:
    # An empty line in the source leaves a vertical gap; the reader marks it with a blank line
    # (item boundaries depend on it) and adds none between lines of one paragraph.
    page = (
        "Therefore, the request for acupuncture 2x4 is not medically necessary.\n"
        "\n"
        "Naproxen sodium 550mg #60: Upheld\n"
        "\n"
        "Claims Administrator guideline: Decision based on MTUS NSAIDs.\n"
        "MAXIMUS guideline: Decision based on MTUS NSAIDs, Page(s): 67-68."
    )
    result = extract_pdf(_write(tmp_path, _text_pdf([page])))
    assert result.text == page + "\n"


def test_no_trailing_spaces_on_lines(tmp_path: Path) -> None:
    result = extract_pdf(_write(tmp_path, _text_pdf([PAGE_1])))
    assert all(line == line.rstrip() for line in result.text.split("\n"))


def test_blank_trailing_page_is_not_an_error(tmp_path: Path) -> None:
    # Some published letters end with an empty page.
    result = extract_pdf(_write(tmp_path, _text_pdf([PAGE_2, ""])))
    assert len(result.page_starts) == 2
    assert result.text.endswith("\f")
    assert result.page_starts[1] == len(result.text)


def test_owner_password_only_opens(tmp_path: Path) -> None:
    # Published letters are encrypted with an owner password and an empty user password.
    data = _text_pdf([PAGE_1], owner_password="owner-secret")
    assert b"/Encrypt" in data
    result = extract_pdf(_write(tmp_path, data))
    assert "Carisoprodol 350mg tablet, #60: Overturned" in _lines(result.text)


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["RC4", "AES_256"])
def test_password_protected_pdf_is_refused(tmp_path: Path, method: str) -> None:
    if method != "RC4":
        pytest.importorskip("cryptography")  # fpdf2 needs it for AES
    data = _text_pdf(
        [PAGE_1],
        owner_password="owner-secret",
        user_password="user-secret",
        encryption_method=getattr(EncryptionMethod, method),
    )
    err = _raises(_write(tmp_path, data, "locked.pdf"), "E204")
    assert "encrypted" in str(err)
    assert "password" in str(err)


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    image = io.BytesIO()
    Image.new("L", (300, 120), color=255).save(image, format="PNG")
    image.seek(0)
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.image(image, x=20, y=20, w=150)
    data = bytes(pdf.output())
    assert b"/Image" in data
    err = _raises(_write(tmp_path, data, "scan.pdf"), "E207")
    assert "OCR" in str(err)
    assert "does not do" in str(err)


def test_pages_without_text_need_ocr(tmp_path: Path) -> None:
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.add_page()
    err = _raises(_write(tmp_path, bytes(pdf.output()), "blank.pdf"), "E207")
    assert "2 page(s)" in str(err)


def test_zero_page_pdf(tmp_path: Path) -> None:
    data = _raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>")
    err = _raises(_write(tmp_path, data, "nopages.pdf"), "E206")
    assert "zero pages" in str(err)


def test_zero_page_pdf_after_a_password_error(tmp_path: Path) -> None:
    # PDFium's last-error code is stale after a zero-page load: it must not say "password".
    locked = _text_pdf([PAGE_2], owner_password="o", user_password="u", encryption_method=EncryptionMethod.RC4)
    _raises(_write(tmp_path, locked, "locked.pdf"), "E204")
    data = _raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>")
    _raises(_write(tmp_path, data, "nopages.pdf"), "E206")


def test_hand_made_pdf_helper_makes_a_readable_pdf(tmp_path: Path) -> None:
    # Guards test_zero_page_pdf: the same helper with one text page must extract.
    data = _raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length 59 >>\nstream\nBT /F1 12 Tf 72 700 Td (MRI of the lumbar spine: Upheld) Tj ET\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    )
    result = extract_pdf(_write(tmp_path, data))
    assert result.text == "MRI of the lumbar spine: Upheld\n"


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_pdf(tmp_path: Path, keep: float) -> None:
    data = _text_pdf([PAGE_1, PAGE_2])
    err = _raises(_write(tmp_path, data[: int(len(data) * keep)], "cut.pdf"), "E203")
    assert "corrupt or truncated" in str(err)


def test_pdf_missing_only_its_end_is_truncated(tmp_path: Path) -> None:
    # PDFium would open this one (it rebuilds the xref); the reader refuses it anyway.
    data = _text_pdf([PAGE_1, PAGE_2])
    assert data.rstrip().endswith(b"%%EOF")
    err = _raises(_write(tmp_path, data[:-20], "cut.pdf"), "E203")
    assert "truncated" in str(err)


def test_corrupt_bytes(tmp_path: Path) -> None:
    data = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
    err = _raises(_write(tmp_path, data, "garbled.pdf"), "E203")
    assert "corrupt" in str(err)


def test_not_a_pdf(tmp_path: Path) -> None:
    err = _raises(_write(tmp_path, PAGE_1.encode(), "letter.txt"), "E202")
    assert "not a PDF" in str(err)


def test_empty_file(tmp_path: Path) -> None:
    err = _raises(_write(tmp_path, b"", "empty.pdf"), "E201")
    assert "empty" in str(err)


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        extract_pdf(tmp_path / "missing.pdf")


def test_pdf_error_is_a_value_error() -> None:
    assert issubclass(PdfError, ValueError)


def test_messages_are_numbered_e201_to_e209() -> None:
    for n in range(201, 210):
        message = getattr(Errors, f"E{n}")
        assert message.startswith(f"[E{n}] ")
        assert "{path}" in message


def test_pdf_error_pickles_with_its_code(tmp_path: Path) -> None:
    with pytest.raises(PdfError) as info:
        extract_pdf(_write(tmp_path, b"", "empty.pdf"))
    copy = pickle.loads(pickle.dumps(info.value))
    assert (str(copy), copy.code, copy.path) == (str(info.value), "E201", str(tmp_path / "empty.pdf"))
