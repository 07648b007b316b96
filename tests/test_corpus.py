"""The annotated corpus: its files against corpus/schema.json, the corpus builder's kept
splits, and the join of standoff annotations with letters (on small synthetic files
written here, never real letter text)."""
import hashlib
import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest
import typer
from typer.testing import CliRunner

from pipeline.annotations import check_example, doc_annotations
from pipeline.record_fields import norm_request

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SCHEMA = json.loads((CORPUS / "schema.json").read_text(encoding="utf8"))


def _script(name):
    spec = importlib.util.spec_from_file_location(f"_script_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _app(main):
    app = typer.Typer()
    app.command()(main)
    return app


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines() if line.strip()]


LINE = jsonschema.Draft202012Validator(SCHEMA)
STANDOFF = jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/standoff_line"})


def test_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


# ----------------------------------------------------------------- the committed files


def test_synthetic_corpus_validates():
    lines = _lines(CORPUS / "synthetic.jsonl")
    assert len(lines) >= 80
    ids = [line["meta"]["id"] for line in lines]
    assert len(ids) == len(set(ids))
    for line in lines:
        errors = sorted(LINE.iter_errors(line), key=lambda e: list(e.absolute_path))
        assert not errors, f"{line['meta']['id']}: {errors[0].message} at {list(errors[0].absolute_path)}"
        check_example(line, line["meta"]["id"])
        assert line["meta"]["source"] == "synthetic"
        # every gold item with a page has exactly one ITEM span holding its request
        requests = [norm_request(line["text"][s["start"] : s["end"]]) for s in line["spans"] if s["label"] == "ITEM"]
        placed = [norm_request(i["request"]) for i in line["record"]["items"] if "page" in i]
        assert sorted(requests) == sorted(placed), line["meta"]["id"]


def test_synthetic_splits_are_roughly_70_15_15():
    splits = [line["meta"]["split"] for line in _lines(CORPUS / "synthetic.jsonl")]
    n = len(splits)
    assert 0.55 < splits.count("train") / n < 0.85
    assert splits.count("dev") >= 5 and splits.count("test") >= 5


def test_real_standoff_has_offsets_and_labels_only():
    lines = _lines(CORPUS / "real_standoff.jsonl")
    assert len(lines) >= 60
    assert len({line["case"] for line in lines}) == len(lines)
    for line in lines:
        errors = list(STANDOFF.iter_errors(line))
        assert not errors, f"{line['case']}: {errors[0].message}"
        assert "text" not in line and "record" not in line and "tokens" not in line
        check_example(line, line["case"])  # no text: lengths are checked when joined


# ----------------------------------------------------------------- the corpus builder


@pytest.fixture
def letters(tmp_path, header_letter):
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "t001.txt").write_text(header_letter, encoding="utf8")
    gold = {
        "layout": "final-determination",
        "patient": {"age": 52, "sex": "female"},
        "items": [
            {"request": "Tramadol ER 150mg #30", "decision": "upheld", "medically_necessary": False,
             "drug": "tramadol", "strength": {"values": [150], "unit": "mg"}, "quantity": 60,
             "guideline_sources": {"claims_administrator": [], "reviewer": ["MTUS", "ODG"]}},
        ],
    }
    (folder / "t001.expected.json").write_text(json.dumps(gold), encoding="utf8")
    (folder / "t002.txt").write_text(header_letter, encoding="utf8")  # no gold: skipped
    return folder


def test_annotate_corpus_corrects_flags_and_keeps_splits(monkeypatch, nlp, letters, tmp_path):
    import pipeline

    monkeypatch.setattr(pipeline, "load", lambda model=None: nlp)
    module = _script("annotate_corpus")
    out = tmp_path / "corpus.jsonl"
    out.write_text(json.dumps({"text": "x", "meta": {"id": "t001", "split": "test"}}) + "\n", encoding="utf8")
    result = CliRunner().invoke(_app(module.main), ["--letters", str(letters), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "t002.txt: no t002.expected.json" in result.output
    [line] = _lines(out)
    assert not list(LINE.iter_errors(line))
    meta = line["meta"]
    assert meta["split"] == "test"  # kept from the old file, whatever the hash says
    assert meta["checked_by"] == "pipeline output corrected against hand-written gold by scripts/annotate_corpus.py"
    fields = {c["field"]: c for c in meta["corrections"]}
    assert fields["items.quantity"]["pipeline"] == 30 and fields["items.quantity"]["gold"] == 60
    assert fields["items.guideline_sources.reviewer"]["gold"] == ["MTUS", "ODG"]
    assert fields["items"]["action"].startswith("item dropped")  # the physical therapy item is not in this gold
    assert [i["request"] for i in line["record"]["items"]] == ["Tramadol ER 150mg #30"]
    assert line["record"]["items"][0]["page"] == 1
    items = [s for s in line["spans"] if s["label"] == "ITEM"]
    assert [line["text"][s["start"] : s["end"]] for s in items] == ["Tramadol ER\n150mg #30"]
    # a run with a different seed moves no letter already written
    result = CliRunner().invoke(_app(module.main), ["--letters", str(letters), "--output", str(out), "--seed", "other"])
    assert result.exit_code == 0, result.output
    assert _lines(out)[0]["meta"]["split"] == "test"


def test_annotate_corpus_tokens_are_prodigy_tokens(monkeypatch, nlp, letters, tmp_path):
    import pipeline

    monkeypatch.setattr(pipeline, "load", lambda model=None: nlp)
    module = _script("annotate_corpus")
    out = tmp_path / "corpus.jsonl"
    result = CliRunner().invoke(_app(module.main), ["--letters", str(letters), "--output", str(out), "--tokens"])
    assert result.exit_code == 0, result.output
    [line] = _lines(out)
    assert not list(LINE.iter_errors(line))
    tokens = line["tokens"]
    for span in line["spans"]:
        if "token_start" in span:
            assert tokens[span["token_start"]]["start"] == span["start"]
            assert tokens[span["token_end"]]["end"] == span["end"]
    for rel in line["relations"]:
        assert rel["head_span"] == line["spans"][rel["head"]]


# ----------------------------------------------------------------- standoff and join


LETTER = "Norco 10/325mg #60: Upheld\n\nDecision rationale: Not shown to help. The request is not medically necessary.\n"


def _standoff(text, spans, relations=(), case="CM99-0000001"):
    return {
        "case": case,
        "sha256": hashlib.sha256(text.encode("utf8")).hexdigest(),
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
        "relations": [{"head": h, "child": c, "label": label} for h, c, label in relations],
        "meta": {"id": case, "split": "test", "source": "real", "layout": "final-determination", "checked_by": "a test"},
    }


GOOD_SPANS = [(0, 18, "ITEM"), (0, 5, "DRUG"), (6, 14, "STRENGTH"), (15, 18, "QUANTITY"), (20, 26, "DECISION"), (48, 106, "RATIONALE")]
GOOD_RELATIONS = [(0, 1, "HAS_DRUG"), (0, 2, "HAS_STRENGTH"), (0, 3, "HAS_QUANTITY"), (0, 4, "HAS_DECISION"), (0, 5, "HAS_RATIONALE")]


@pytest.fixture
def join_files(tmp_path):
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "CM99-0000001.txt").write_bytes(LETTER.encode("utf8"))
    standoff = tmp_path / "standoff.jsonl"

    def write(*lines):
        standoff.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf8")
        return standoff

    return folder, write


def test_standoff_fixture_is_consistent():
    assert LETTER[0:18] == "Norco 10/325mg #60" and LETTER[20:26] == "Upheld"
    assert LETTER[48:106].startswith("Not shown") and LETTER[48:106].endswith("necessary.")


def _join(standoff, folder, *extra):
    module = _script("join_real")
    return CliRunner().invoke(_app(module.main), [str(standoff), str(folder), *extra])


def test_join_adds_the_text(join_files, tmp_path):
    folder, write = join_files
    standoff = write(_standoff(LETTER, GOOD_SPANS, GOOD_RELATIONS))
    assert not list(STANDOFF.iter_errors(json.loads(standoff.read_text())))
    out = tmp_path / "joined.jsonl"
    result = _join(standoff, folder, "-o", str(out))
    assert result.exit_code == 0, result.output
    [line] = _lines(out)
    assert not list(LINE.iter_errors(line))
    assert line["text"] == LETTER
    assert line["meta"]["case"] == "CM99-0000001"
    assert [line["text"][s["start"] : s["end"]] for s in line["spans"]][:4] == ["Norco 10/325mg #60", "Norco", "10/325mg", "#60"]
    assert line["relations"][0]["child_span"] == {"start": 0, "end": 5, "label": "DRUG"}


def test_join_refuses_a_wrong_hash(join_files, tmp_path):
    folder, write = join_files
    line = _standoff(LETTER.replace("#60", "#90"), GOOD_SPANS, GOOD_RELATIONS)
    standoff = write(line)
    out = tmp_path / "joined.jsonl"
    result = _join(standoff, folder, "-o", str(out))
    assert result.exit_code == 1
    found = hashlib.sha256(LETTER.encode("utf8")).hexdigest()
    assert "CM99-0000001" in result.output
    assert f"sha256 expected {line['sha256']}, found {found}" in result.output
    assert not out.exists()


def test_join_refuses_a_missing_letter(join_files):
    folder, write = join_files
    result = _join(write(_standoff(LETTER, GOOD_SPANS, case="CM99-0000002")), folder)
    assert result.exit_code == 1
    assert "CM99-0000002: no file" in result.output


@pytest.mark.parametrize(
    "spans, message",
    [
        (GOOD_SPANS[:5] + [(48, 999, "RATIONALE")], "CM99-0000001: span 5 RATIONALE [48:999]: out of range (the text has 107 characters)"),
        (GOOD_SPANS[:1] + [(5, 5, "DRUG")], "CM99-0000001: span 1 DRUG [5:5]: start must be less than end"),
        (GOOD_SPANS[:1] + [(12, 4, "DRUG")], "CM99-0000001: span 1 DRUG [12:4]: start must be less than end"),
        (GOOD_SPANS[:2] + [(3, 14, "STRENGTH")], "CM99-0000001: span 2 STRENGTH [3:14] overlaps span 1 DRUG [0:5]; entity spans may not overlap"),
        (GOOD_SPANS + [(10, 30, "ITEM")], "CM99-0000001: span 6 ITEM [10:30] overlaps span 0 ITEM [0:18]; item spans may not overlap"),
    ],
)
def test_join_refuses_malformed_spans(join_files, spans, message):
    folder, write = join_files
    result = _join(write(_standoff(LETTER, spans)), folder)
    assert result.exit_code == 1
    assert message in result.output


def test_join_refuses_bad_relations(join_files):
    folder, write = join_files
    result = _join(write(_standoff(LETTER, GOOD_SPANS, [(0, 9, "HAS_DRUG")])), folder)
    assert result.exit_code == 1
    assert "CM99-0000001: relation 0 HAS_DRUG: its child 9 is not the index of a span" in result.output
    result = _join(write(_standoff(LETTER, GOOD_SPANS, [(0, 2, "HAS_DRUG")])), folder)
    assert "its child span 2 STRENGTH [6:14] is not a DRUG span" in result.output


def test_join_skip_bad_writes_the_others(join_files, tmp_path):
    folder, write = join_files
    good = _standoff(LETTER, GOOD_SPANS, GOOD_RELATIONS)
    bad = dict(good, case="CM99-0000003")
    (folder / "CM99-0000003.txt").write_bytes(b"another letter")
    out = tmp_path / "joined.jsonl"
    result = _join(write(good, bad), folder, "-o", str(out), "--skip-bad")
    assert result.exit_code == 1
    assert "CM99-0000003" in result.output
    assert [line["meta"]["case"] for line in _lines(out)] == ["CM99-0000001"]


def test_standoff_of_a_doc_has_no_text(nlp, header_letter):
    module = _script("annotate_real")
    data = header_letter.encode("utf8")
    line = module.standoff_line("CM16-0100001", data, header_letter, nlp(header_letter), "dev")
    assert not list(STANDOFF.iter_errors(line))
    dumped = json.dumps(line)
    for word in ("Tramadol", "Physical", "Upheld", "MTUS", "California"):
        assert word not in dumped
    assert line["spans"] == [{k: s[k] for k in ("start", "end", "label")} for s in doc_annotations(nlp(header_letter))["spans"]]
    assert line["meta"]["notes"] == []


def test_select_keeps_earlier_letters():
    module = _script("annotate_real")
    cases = [f"CM16-{i:07d}" for i in range(100)]
    first = module.select(cases, 60, "seed", [])
    assert len(first) == 60 and first == module.select(cases, 60, "seed", [])
    again = module.select(cases + ["CM17-0000001"], 60, "other seed", first)
    assert again == first


def test_review_removes_and_adds_spans_and_renumbers_relations():
    from pipeline.annotations import apply_review

    example = {
        "text": "Norco 10/325mg #60: Upheld",
        "meta": {"id": "x"},
        "spans": [
            {"start": 0, "end": 18, "label": "ITEM"}, {"start": 0, "end": 5, "label": "TREATMENT"},
            {"start": 6, "end": 14, "label": "STRENGTH"},
        ],
        "relations": [{"head": 0, "child": 1, "label": "HAS_TREATMENT"}, {"head": 0, "child": 2, "label": "HAS_STRENGTH"}],
    }
    review = {"remove": [{"start": 0, "end": 5, "label": "TREATMENT"}], "add": [{"start": 0, "end": 5, "label": "DRUG"}], "reviewed_by": "r"}
    out = apply_review(example, review)
    assert out["spans"] == [
        {"start": 0, "end": 18, "label": "ITEM"}, {"start": 6, "end": 14, "label": "STRENGTH"}, {"start": 0, "end": 5, "label": "DRUG"},
    ]
    assert out["relations"] == [{"head": 0, "child": 1, "label": "HAS_STRENGTH"}]
    assert out["meta"]["reviewed_by"] == "r"


def test_apply_review_second_pass_corrects_the_first():
    from pipeline.annotations import apply_review

    example = {
        "text": "Knee brace and lumbar MRI",
        "meta": {"id": "x"},
        "spans": [{"start": 5, "end": 10, "label": "TREATMENT"}, {"start": 22, "end": 25, "label": "TREATMENT"}],
        "relations": [],
    }
    first = {"remove": [{"start": 22, "end": 25, "label": "TREATMENT"}], "add": [{"start": 15, "end": 25, "label": "TREATMENT"}], "reviewed_by": "r1", "notes": ["a"]}
    second = {"remove": [], "add": [{"start": 0, "end": 10, "label": "TREATMENT"}], "reviewed_by": "r2", "notes": ["b"]}
    out = apply_review(apply_review(example, first), second)
    assert out["spans"] == [{"start": 15, "end": 25, "label": "TREATMENT"}, {"start": 0, "end": 10, "label": "TREATMENT"}]
    assert out["meta"]["reviewed_by"] == "r1; r2"
    assert out["meta"]["review_notes"] == ["a", "b"]


def test_a_boundary_fix_keeps_the_relation_and_a_label_change_drops_it():
    from pipeline.annotations import apply_review

    example = {
        "text": "Lumbar MRI and Soma: Upheld",
        "meta": {"id": "x"},
        "spans": [
            {"start": 0, "end": 19, "label": "ITEM"}, {"start": 7, "end": 10, "label": "TREATMENT"},
            {"start": 15, "end": 19, "label": "TREATMENT"},
        ],
        "relations": [{"head": 0, "child": 1, "label": "HAS_TREATMENT"}, {"head": 0, "child": 2, "label": "HAS_TREATMENT"}],
    }
    review = {
        "remove": [{"start": 7, "end": 10, "label": "TREATMENT"}, {"start": 15, "end": 19, "label": "TREATMENT"}],
        "add": [{"start": 0, "end": 10, "label": "TREATMENT"}, {"start": 15, "end": 19, "label": "DRUG"}],
    }
    out = apply_review(example, review)
    assert out["spans"] == [
        {"start": 0, "end": 19, "label": "ITEM"}, {"start": 0, "end": 10, "label": "TREATMENT"}, {"start": 15, "end": 19, "label": "DRUG"},
    ]
    assert out["relations"] == [{"head": 0, "child": 1, "label": "HAS_TREATMENT"}]


def test_a_removal_takes_the_same_mention_drawn_a_little_differently():
    from pipeline.annotations import apply_review, stale_removals

    example = {
        "text": "an EMG is not necessary if obvious",
        "meta": {"id": "x"},
        "spans": [{"start": 3, "end": 6, "label": "TREATMENT"}, {"start": 10, "end": 23, "label": "DECISION"}],
        "relations": [],
    }
    review = {"remove": [{"start": 7, "end": 23, "label": "DECISION"}], "add": []}
    assert stale_removals(example, review) == review["remove"]
    assert apply_review(example, review)["spans"] == [{"start": 3, "end": 6, "label": "TREATMENT"}]


def test_an_item_without_drug_or_treatment_link_gets_its_first_treatment():
    from pipeline.annotations import link_unlinked_treatments

    example = {
        "text": "Botox injections: Upheld. Norco #60: Upheld",
        "spans": [
            {"start": 0, "end": 16, "label": "ITEM"}, {"start": 0, "end": 5, "label": "DRUG"},
            {"start": 6, "end": 16, "label": "TREATMENT"}, {"start": 26, "end": 35, "label": "ITEM"},
            {"start": 26, "end": 31, "label": "DRUG"},
        ],
        "relations": [{"head": 3, "child": 4, "label": "HAS_DRUG"}],
    }
    assert link_unlinked_treatments(example) == 1
    assert example["relations"] == [
        {"head": 3, "child": 4, "label": "HAS_DRUG"}, {"head": 0, "child": 2, "label": "HAS_TREATMENT"},
    ]
    assert link_unlinked_treatments(example) == 0
