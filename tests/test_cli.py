"""The imr command line, run in-process with the session's pipeline."""
import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import cli


@pytest.fixture
def runner(monkeypatch, nlp):
    monkeypatch.setattr(cli, "_load", lambda model: nlp)
    return CliRunner()


def test_extract_folder_to_jsonl(runner, tmp_path, seed_records):
    out = tmp_path / "records.jsonl"
    result = runner.invoke(cli.app, ["extract", "examples", "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = {Path(r["source"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert sorted(records) == ["000_f03b8f82d3723e56.txt", "001_722e60520c9ccd5f.pdf", "001_722e60520c9ccd5f.txt"]
    for name in seed_records:
        assert records[f"{name}.txt"]["items"] == seed_records[name]["items"]
    # the PDF of the second letter gives the same items but for offsets into its own text
    from_pdf = records["001_722e60520c9ccd5f.pdf"]
    assert from_pdf["extractor"].startswith("pypdfium2")
    drop = ("start", "end", "rationale")
    assert [{k: v for k, v in i.items() if k not in drop} for i in from_pdf["items"]] == [
        {k: v for k, v in i.items() if k not in drop} for i in seed_records["001_722e60520c9ccd5f"]["items"]
    ]


def test_extract_csv_one_row_per_item(runner, tmp_path):
    out = tmp_path / "items.csv"
    result = runner.invoke(cli.app, ["extract", "examples", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["request"], r["decision"], r["quantity_value"]) for r in rows] == [
        ("Carsoprodol 350 mg, ninety count", "upheld", "90"),
        ("Hydrocodone/APAP 10/325 mg, 120 count", "upheld", "120"),
        ("Carisoprodol 350mg tablet, #60", "overturned", "60"),
        ("Carisoprodol 350mg tablet, #60", "overturned", "60"),
    ]


def test_stdin_and_failure_exit_status(runner, tmp_path, seed_texts):
    result = runner.invoke(cli.app, ["extract", "-"], input=seed_texts["001_722e60520c9ccd5f"])
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["source"] == "<stdin>" and record["items"][0]["decision"] == "overturned"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    out = tmp_path / "r.jsonl"
    result = runner.invoke(cli.app, ["extract", "examples/001_722e60520c9ccd5f.txt", str(empty), "-o", str(out)])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["items"] and rows[1] == {"source": str(empty), "error": f"[E101] {empty}: the file is empty."}
    assert "1 of 2 inputs failed" in result.stderr


def test_show_prints_the_record_and_writes_html(runner, tmp_path):
    html = tmp_path / "ents.html"
    result = runner.invoke(cli.app, ["show", "examples/000_f03b8f82d3723e56.txt", "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "1. Carsoprodol 350 mg, ninety count" in result.stdout
    assert "decision upheld; medically necessary False; carisoprodol; strength 350 mg; quantity 90" in result.stdout
    page = html.read_text()
    assert "<mark" in page and "Carsoprodol" in page


def test_empty_folder_is_an_error(runner, tmp_path):
    result = runner.invoke(cli.app, ["extract", str(tmp_path)])
    assert result.exit_code == 1
    assert "E306" in result.stderr
