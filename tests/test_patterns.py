"""Rule data: every pattern file loads, and malformed lines are refused with their place."""
import json

import pytest

from pipeline.patterns import read_pattern_file, read_patterns
from pipeline.regex_ruler import compile_patterns
from pipeline.resources import data_dir


def test_every_pattern_file_loads_and_has_known_labels():
    phrases = read_patterns(str(p) for p in sorted(data_dir("patterns").glob("*.jsonl")))
    assert {p["label"] for p in phrases} == {"DRUG", "TREATMENT", "SPECIALTY", "STATE", "GUIDELINE", "DECISION", "SEX"}
    assert all(isinstance(p["pattern"], str) for p in phrases)
    shapes = read_patterns(str(p) for p in sorted(data_dir("patterns").glob("regex/*.jsonl")))
    assert {p["label"] for p in shapes} == {"STRENGTH", "QUANTITY", "DURATION", "DATE", "DECISION", "AGE"}
    compile_patterns(shapes)


def test_lexicon_ids_are_canonical_names():
    rows = read_pattern_file(data_dir("patterns") / "drugs.jsonl")
    by_form = {r["pattern"]: r["id"] for r in rows}
    assert by_form["norco"] == "hydrocodone/acetaminophen"
    assert by_form["apap"] == "acetaminophen"
    assert by_form["soma"] == "carisoprodol"
    assert by_form["carsoprodol"] == "carisoprodol"


def test_malformed_line_is_refused_with_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"label": "DRUG", "pattern": "norco"}) + "\n" + json.dumps({"label": "DRUG"}) + "\n")
    with pytest.raises(ValueError, match=r"E302.*bad.jsonl line 2: missing pattern"):
        read_pattern_file(path)


def test_regex_pattern_without_starts_is_refused():
    with pytest.raises(ValueError, match="E302.*starts"):
        compile_patterns([{"label": "DATE", "pattern": r"\d+/\d+/\d+"}])
