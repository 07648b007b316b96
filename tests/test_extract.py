"""Batch extraction of PDF and text letters: the same records, pages, and error rows."""
from pathlib import Path

from fpdf import FPDF

from pipeline.extract import extract
from pipeline.io import expand_inputs


def _pdf(pages, path: Path) -> Path:
    pdf = FPDF(format="letter")
    pdf.set_font("Helvetica", size=9)
    for page in pages:
        pdf.add_page()
        for line in page.split("\n"):
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))
    return path


def _comparable(record):
    """A record without what legitimately differs between a PDF and its text (offsets, source)."""
    items = [
        {k: v for k, v in item.items() if k not in ("start", "end", "rationale")}
        for item in record["items"]
    ]
    return {"layout": record["layout"], "case": record["case"], "patient": record["patient"],
            "reviewer": record["reviewer"], "items": items}


def test_pdf_letter_gives_the_text_letter_record(nlp, tmp_path, header_letter):
    lines = header_letter.split("\n")
    cut = lines.index("Physical therapy for the lumbar spine two times a week for six")
    pages = ["\n".join(lines[:cut]), "\n".join(lines[cut:])]
    _pdf(pages, tmp_path / "letter.pdf")
    (tmp_path / "letter.txt").write_text("\n\f".join(pages), encoding="utf8")
    pdf_row, txt_row = extract(nlp, expand_inputs([str(tmp_path / "letter.pdf"), str(tmp_path / "letter.txt")]))
    assert pdf_row["extractor"].startswith("pypdfium2 ")
    assert txt_row["extractor"] is None
    assert _comparable(pdf_row) == _comparable(txt_row)
    assert [i["page"] for i in pdf_row["items"]] == [1, 2]
    assert [i["request"] for i in pdf_row["items"]] == [
        "Tramadol ER 150mg #30", "Physical therapy for the lumbar spine two times a week for six weeks",
    ]


def test_bad_pdfs_are_error_rows_and_the_batch_goes_on(nlp, tmp_path, seed_texts):
    (tmp_path / "a_fake.pdf").write_bytes(b"this is not a pdf at all")
    blank = FPDF(format="letter")
    blank.add_page()
    (tmp_path / "b_scanned.pdf").write_bytes(bytes(blank.output()))
    (tmp_path / "c_letter.txt").write_text(seed_texts["001_722e60520c9ccd5f"], encoding="utf8")
    rows = list(extract(nlp, expand_inputs([str(tmp_path)])))
    assert [r.get("error", "")[:6] for r in rows] == ["[E202]", "[E207]", ""]
    assert "OCR" in rows[1]["error"] and "b_scanned.pdf" in rows[1]["error"]
    assert rows[2]["items"][0]["decision"] == "overturned"
