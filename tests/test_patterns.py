"""Rule data: every pattern file loads, and malformed lines are refused with their place."""
import json

import pytest

from pipeline.patterns import plural, read_pattern_file, read_patterns, with_plurals
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


@pytest.mark.parametrize(
    "word,form",
    [("walker", "walkers"), ("orthosis", "orthoses"), ("study", "studies"), ("brace", "braces"), ("box", "boxes"),
     ("day", "days"), ("esi", "esis"), ("class", "classes"), ("braces", None), ("orthotics", None), ("x-ray", None),
     ("l5", None)],
)
def test_plural_of_a_head_noun(word, form):
    assert plural(word) == form


def test_plurals_are_added_for_the_given_labels_only_and_never_twice():
    patterns = [
        {"label": "TREATMENT", "pattern": "trigger point injection", "id": "trigger point injection"},
        {"label": "TREATMENT", "pattern": "Walker", "id": "durable medical equipment"},
        {"label": "TREATMENT", "pattern": "brace", "id": "durable medical equipment"},
        {"label": "TREATMENT", "pattern": "braces", "id": "durable medical equipment"},
        {"label": "DRUG", "pattern": "norco", "id": "hydrocodone/acetaminophen"},
        {"label": "TREATMENT", "pattern": [{"LOWER": "pt"}]},
    ]
    added = with_plurals(patterns, ["TREATMENT"])[len(patterns):]
    assert added == [
        {"label": "TREATMENT", "pattern": "trigger point injections", "id": "trigger point injection"},
        {"label": "TREATMENT", "pattern": "walkers", "id": "durable medical equipment"},
    ]


def test_the_rules_pipeline_matches_treatments_in_the_plural(nlp):
    doc = nlp("She uses walkers and canes and had trigger point injections and two MRIs.")
    assert [(e.text, e.ent_id_) for e in doc.ents if e.label_ == "TREATMENT"] == [
        ("walkers", "durable medical equipment"), ("canes", "durable medical equipment"),
        ("trigger point injections", "trigger point injection"), ("MRIs", "MRI"),
    ]
