"""The assembled pipeline: saved and reloaded in a fresh process, multiprocessing, DocBin."""
import json
import subprocess
import sys

from spacy.tokens import DocBin


def test_pipe_names_and_load(nlp):
    assert nlp.pipe_names == ["entity_ruler", "imr_regex_ruler", "imr_fuzzy_drugs", "imr_treatment_modifiers", "lemmatizer", "imr_sections", "imr_normalizer", "imr_case_facts", "imr_items"]
    doc = nlp("The injured worker is a 60-year-old male.")
    assert [t.lemma_ for t in doc][-2:] == ["male", "."]


def test_saved_pipeline_loads_in_a_fresh_process(nlp, tmp_path, seed_texts, seed_records):
    nlp.to_disk(tmp_path / "model")
    name = "001_722e60520c9ccd5f"
    (tmp_path / "letter.txt").write_text(seed_texts[name], encoding="utf8")
    code = (
        "import json, sys, spacy\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "doc = nlp(open(sys.argv[2], encoding='utf8').read())\n"
        "doc._.source = 'examples/001_722e60520c9ccd5f.txt'\n"
        "print(json.dumps(doc._.record))\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code, str(tmp_path / "model"), str(tmp_path / "letter.txt")],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    assert json.loads(out.stdout) == seed_records[name]


def test_two_processes_give_the_same_records(nlp, seed_texts, header_letter):
    texts = [*seed_texts.values(), header_letter] * 3
    one = [doc._.record for doc in nlp.pipe(texts)]
    two = [doc._.record for doc in nlp.pipe(texts, n_process=2, batch_size=2)]
    assert one == two


def test_docbin_keeps_what_the_record_needs(nlp, seed_texts, seed_records):
    name = "000_f03b8f82d3723e56"
    doc = nlp(seed_texts[name])
    doc._.source = f"examples/{name}.txt"
    data = DocBin(docs=[doc], store_user_data=True).to_bytes()
    (again,) = DocBin().from_bytes(data).get_docs(nlp.vocab)
    assert again._.record == seed_records[name]
