"""The regex ruler: shapes found where they may start, longest span wins, saved with the pipeline."""
import pytest
import spacy

from pipeline.tokenizer import create_letter_tokenizer

PATTERNS = [
    {"label": "QUANTITY", "pattern": r"#\s?\d+(?![A-Za-z0-9])", "starts": ["#"]},
    {"label": "STRENGTH", "pattern": r"\d+(?:/\d+)?\s*mg\b", "starts": ["<number>"]},
    {"label": "DATE", "pattern": r"\d{1,2}/\d{1,2}/\d{4}\b", "starts": ["<digit>"]},
    {"label": "DECISION", "pattern": r"not(?:\s+[a-z]+){0,3}?\s+medically\s+necessary", "starts": ["not"], "id": "not medically necessary"},
]


@pytest.fixture
def nlp():
    nlp = spacy.blank("en")
    nlp.tokenizer = create_letter_tokenizer()(nlp)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "DRUG", "pattern": "tylenol #3", "id": "acetaminophen/codeine"},
                        {"label": "DECISION", "pattern": "medically necessary", "id": "medically necessary"}])
    nlp.add_pipe("imr_regex_ruler").initialize(patterns=PATTERNS)
    nlp.add_pipe("imr_normalizer")
    return nlp


def test_shapes_and_overlaps(nlp):
    doc = nlp("Tylenol #3 #60 and Norco 10/325mg on 02/05/2015: the request is not considered medically necessary.")
    assert [(e.label_, e.text, e._.norm) for e in doc.ents] == [
        ("DRUG", "Tylenol #3", "acetaminophen/codeine"),
        ("QUANTITY", "#60", "60"),
        ("STRENGTH", "10/325mg", "10/325 mg"),
        ("DATE", "02/05/2015", "2015-02-05"),
        ("DECISION", "not considered medically necessary", "not medically necessary"),
    ]


def test_round_trip(nlp, tmp_path):
    text = "Norco 10/325mg #60 on 02/05/2015"
    expected = [(e.label_, e.text) for e in nlp(text).ents]
    other = spacy.blank("en")
    other.tokenizer = create_letter_tokenizer()(other)
    other.add_pipe("imr_regex_ruler").from_bytes(nlp.get_pipe("imr_regex_ruler").to_bytes())
    assert [(e.label_, e.text) for e in other(text).ents] == [x for x in expected]
    nlp.get_pipe("imr_regex_ruler").to_disk(tmp_path / "rr")
    third = spacy.blank("en")
    third.tokenizer = create_letter_tokenizer()(third)
    third.add_pipe("imr_regex_ruler").from_disk(tmp_path / "rr")
    assert [(e.label_, e.text) for e in third(text).ents] == expected


def test_empty_doc(nlp):
    assert list(nlp("").ents) == []


def test_conclusions_in_the_real_pipeline(nlp):
    import pipeline

    full = pipeline.load()
    cases = {
        "the request at this time cannot be considered medically necessary per the guidelines.": "not medically necessary",
        "the request is not-medically necessary.": "not medically necessary",
        "the MRI is not supported by the provided records as being medically necessary at this time.": "not medically necessary",
        "the medical necessity of the request is not established.": "not medically necessary",
        "is not a medical necessity to the patient.": "not medically necessary",
        "Therefore, the request is medically necessary and appropriate.": "medically necessary",
        "There is no documentation, and the request is medically necessary.": "medically necessary",
    }
    for sentence, norm in cases.items():
        doc = full(sentence)
        assert [e._.norm for e in doc.ents if e.label_ == "DECISION"][-1] == norm, sentence


def test_conclusion_spans_leave_out_the_copula_and_remarks_about_records():
    import pipeline

    full = pipeline.load()
    doc = full(
        "Therefore, the two further sessions are not necessary. The progress note does not "
        "address medical necessity for the walker, and the request does not meet medical necessity."
    )
    assert [(e.text, e._.norm) for e in doc.ents if e.label_ == "DECISION"] == [
        ("not necessary", "not medically necessary"),
        ("not meet medical necessity", "not medically necessary"),
    ]


def test_a_negated_conclusion_takes_its_whole_list_of_adjectives():
    import pipeline

    full = pipeline.load()
    doc = full(
        "The MRI was not medically necessary, medically appropriate, or indicated here. Therapy is not "
        "medically necessary or appropriate. The request for X is not medically necessary, and the request "
        "for Y is medically necessary."
    )
    assert [(e.text, e._.norm) for e in doc.ents if e.label_ == "DECISION"] == [
        ("not medically necessary, medically appropriate, or indicated", "not medically necessary"),
        ("not medically necessary or appropriate", "not medically necessary"),
        ("not medically necessary", "not medically necessary"),
        ("medically necessary", "medically necessary"),
    ]


def test_durations_take_whole_ranges_and_lengths_in_words_but_not_frequencies():
    import pipeline

    full = pipeline.load()
    doc = full(
        "Rest for 6-8 weeks was tried for two to three weeks, then for about a year; "
        "she walks once a week, three days a week, for 30 minutes."
    )
    assert [(e.text, e._.norm) for e in doc.ents if e.label_ == "DURATION"] == [
        ("6-8 weeks", "8 weeks"), ("two to three weeks", "3 weeks"), ("a year", "1 year"), ("for 30 minutes", "30 minutes"),
    ]


def test_vague_lengths_after_a_preposition_are_durations_but_ages_and_rates_are_not():
    import pipeline

    full = pipeline.load()
    doc = full(
        "For several years he has taken it; it gives relief for a day or two, swelling came within a few hours, "
        "and he has been on it for at least several months. He is over 50 years of age and is seen once in a week."
    )
    assert [(e.text, e._.norm) for e in doc.ents if e.label_ == "DURATION"] == [
        ("several years", None), ("a day or two", "2 days"), ("a few hours", None), ("several months", None),
    ]
