"""Reading inputs and writing outputs: bad input is reported per file, writes are atomic."""
import json

import pytest

from pipeline.extract import extract
from pipeline.io import InputError, atomic_output, csv_rows, expand_inputs, read_letter


@pytest.fixture
def folder(tmp_path, seed_texts):
    (tmp_path / "good").mkdir()
    for name, text in seed_texts.items():
        (tmp_path / "good" / f"{name}.txt").write_text(text, encoding="utf8")
    return tmp_path


@pytest.mark.parametrize(
    "content,code",
    [
        (b"", "E101"),
        (b"  \n\t\n ", "E102"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "E103"),
        ("Carisoprodol 350mg tablet, #60: Overturned caf\u00e9".encode("latin-1"), "E104"),
    ],
)
def test_unreadable_text_files(tmp_path, content, code):
    path = tmp_path / "letter.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=code) as err:
        read_letter(path)
    assert str(path) in str(err.value)


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(InputError, match="E107"):
        read_letter(tmp_path / "nope.txt")
    other = tmp_path / "letter.docx"
    other.write_bytes(b"PK")
    with pytest.raises(InputError, match="E108"):
        read_letter(other)


def test_folders_expand_recursively_in_order(folder):
    (folder / "good" / "sub").mkdir()
    (folder / "good" / "sub" / "x.txt").write_text("x")
    (folder / "good" / "notes.md").write_text("x")
    files = expand_inputs([str(folder / "good")])
    assert [f.rsplit("/", 1)[-1] for f in files] == ["000_f03b8f82d3723e56.txt", "001_722e60520c9ccd5f.txt", "x.txt"]


def test_batch_goes_on_past_bad_inputs(nlp, folder, seed_texts, seed_records):
    bad = folder / "bad"
    bad.mkdir()
    (bad / "a_empty.txt").write_bytes(b"")
    (bad / "b_binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (bad / "c_other.txt").write_text("Dear customer, your order has shipped. Thank you for shopping with us.")
    cut = seed_texts["000_f03b8f82d3723e56"]
    (bad / "d_truncated.txt").write_text(cut[: cut.index("IMR ISSUES")])
    (bad / "e_huge.txt").write_text("word " * (nlp.max_length // 5 + 10))
    inputs = expand_inputs([str(folder / "good"), str(bad)])
    rows = list(extract(nlp, inputs))
    assert len(rows) == 7
    good = rows[:2]
    for row, name in zip(good, ["000_f03b8f82d3723e56", "001_722e60520c9ccd5f"]):
        expected = dict(seed_records[name], source=str(folder / "good" / f"{name}.txt"))
        assert row == expected
    errors = {row["source"].rsplit("/", 1)[-1]: row["error"] for row in rows[2:]}
    assert list(errors) == ["a_empty.txt", "b_binary.txt", "c_other.txt", "d_truncated.txt", "e_huge.txt"]
    for name, code in zip(errors, ["E101", "E103", "E106", "E110", "E105"]):
        assert errors[name].startswith(f"[{code}]") and name in errors[name]


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as stream:
            stream.write("half a record")
            raise RuntimeError("crash")
    assert target.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_output(target) as stream:
        stream.write(json.dumps({"a": 1}) + "\n")
    assert target.read_text() == '{"a": 1}\n'


def test_csv_rows_repeat_letter_fields_per_item(seed_records):
    rows = csv_rows(seed_records["000_f03b8f82d3723e56"])
    assert [r["request"] for r in rows] == ["Carsoprodol 350 mg, ninety count", "Hydrocodone/APAP 10/325 mg, 120 count"]
    assert {r["date_of_injury"] for r in rows} == {"2009-08-13"}
    assert rows[0]["reviewer_guidelines"] == "MTUS, Muscle relaxants, p. 63-66"
    assert csv_rows({"source": "x.txt", "error": "[E101] x.txt: the file is empty."}) == [
        {"source": "x.txt", "error": "[E101] x.txt: the file is empty."}
    ]


def test_two_processes_give_the_same_rows(nlp, folder):
    (folder / "good" / "empty.txt").write_bytes(b"")
    inputs = expand_inputs([str(folder / "good")])
    assert list(extract(nlp, inputs, n_process=2)) == list(extract(nlp, inputs))


def test_a_ten_megabyte_input_is_refused_clearly_and_the_batch_goes_on(nlp, tmp_path, seed_texts):
    big = tmp_path / "a_big.txt"
    big.write_text(seed_texts["001_722e60520c9ccd5f"] * (10_000_000 // len(seed_texts["001_722e60520c9ccd5f"]) + 1), encoding="utf8")
    (tmp_path / "b_letter.txt").write_text(seed_texts["001_722e60520c9ccd5f"], encoding="utf8")
    rows = list(extract(nlp, expand_inputs([str(tmp_path)])))
    assert rows[0]["error"].startswith("[E105]") and "a_big.txt" in rows[0]["error"] and "Split the file" in rows[0]["error"]
    assert rows[1]["items"][0]["decision"] == "overturned"
