"""Misspelled drug names: matched only before a strength or counted quantity; saved with the pipeline."""
import pytest

from conftest import DECISIONS_INTRO
import spacy

from pipeline.tokenizer import create_letter_tokenizer

PATTERNS = [
    {"label": "DRUG", "pattern": "cyclobenzaprine", "id": "cyclobenzaprine"},
    {"label": "DRUG", "pattern": "flexeril", "id": "cyclobenzaprine"},
    {"label": "DRUG", "pattern": "neurontin", "id": "gabapentin"},
    {"label": "DRUG", "pattern": "prograf", "id": "tacrolimus"},
]
SHAPES = [
    {"label": "STRENGTH", "pattern": r"\d+(?:\.\d+)?\s*mg\b", "starts": ["<number>"]},
    {"label": "QUANTITY", "pattern": r"#\d+|\d+\s+sessions", "starts": ["#", "<number>"]},
]


def _nlp():
    nlp = spacy.blank("en")
    nlp.tokenizer = create_letter_tokenizer()(nlp)
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}).add_patterns(PATTERNS)
    nlp.add_pipe("imr_regex_ruler").initialize(patterns=SHAPES)
    nlp.add_pipe("imr_fuzzy_drugs").initialize(patterns=PATTERNS, settings={"ignore": ["tablet"]})
    nlp.add_pipe("imr_normalizer")
    return nlp


@pytest.fixture
def nlp():
    return _nlp()


def test_misspelling_before_a_strength_or_count(nlp):
    doc = nlp("Cyclobenzaprin 7.5mg and Flexaril #60 and Neurotin 600 mg")
    drugs = [(e.text, e._.norm, e._.fuzzy) for e in doc.ents if e.label_ == "DRUG"]
    assert drugs == [
        ("Cyclobenzaprin", "cyclobenzaprine", "cyclobenzaprine"),
        ("Flexaril", "cyclobenzaprine", "flexeril"),
        ("Neurotin", "gabapentin", "neurontin"),
    ]


def test_ordinary_words_are_never_compared(nlp):
    doc = nlp("a work hardening program of 10 sessions; Cyclobenzaprin was tried; tablet 10 mg")
    assert [e.text for e in doc.ents if e.label_ == "DRUG"] == []


def test_round_trip(nlp, tmp_path):
    pipe = nlp.get_pipe("imr_fuzzy_drugs")
    other = _nlp()
    other.replace_pipe("imr_fuzzy_drugs", "imr_fuzzy_drugs")  # a fresh, empty component
    other.get_pipe("imr_fuzzy_drugs").from_bytes(pipe.to_bytes())
    assert [e._.norm for e in other("Flexaril 10 mg").ents] == ["cyclobenzaprine", "10 mg"]
    pipe.to_disk(tmp_path / "fz")
    third = _nlp()
    third.replace_pipe("imr_fuzzy_drugs", "imr_fuzzy_drugs")
    third.get_pipe("imr_fuzzy_drugs").from_disk(tmp_path / "fz")
    assert [e._.norm for e in third("Neurotin 600 mg").ents] == ["gabapentin", "600 mg"]


def test_record_warns_of_a_name_read_by_its_spelling():
    import pipeline

    full = pipeline.load()
    text = (
        DECISIONS_INTRO + "Neurotin 600mg #90: Upheld\n\nDecision rationale: No neuropathic pain. "
        "The request is not medically necessary.\n"
    )
    (item,) = full(text)._.record["items"]
    assert item["drug"]["name"] == "gabapentin"
    assert item["warnings"] and "W006" in item["warnings"][0] and "neurontin" in item["warnings"][0]


def _with_proposed_drugs(nlp, words):
    """A stand-in for a trained ner: DRUG spans without a lexicon id on the given words."""
    from spacy.language import Language
    from spacy.tokens import Span

    name = "propose_" + "_".join(w.lower() for w in words)

    @Language.component(name)
    def propose(doc):
        spans = [Span(doc, t.i, t.i + 1, label="DRUG") for t in doc if t.text in words and not t.ent_type_]
        doc.ents = sorted(list(doc.ents) + spans, key=lambda s: s.start)
        return doc

    nlp.add_pipe(name, before="imr_fuzzy_drugs")
    return nlp


def test_proposed_drugs_stay_only_when_the_lexicon_knows_their_spelling(nlp):
    nlp = _with_proposed_drugs(nlp, ["Cyclobenzaprne", "supervisor", "ER", "Neurontin"])
    doc = nlp("Cyclobenzaprne was stopped by the supervisor; ER visit; Neurontin helped")
    drugs = [(e.text, e._.norm, e._.fuzzy) for e in doc.ents if e.label_ == "DRUG"]
    assert drugs == [("Cyclobenzaprne", "cyclobenzaprine", "cyclobenzaprine"), ("Neurontin", "gabapentin", None)]


def test_proposed_drugs_are_kept_unchecked_when_asked(nlp):
    nlp.get_pipe("imr_fuzzy_drugs").check_unlisted = False
    nlp = _with_proposed_drugs(nlp, ["supervisor"])
    assert [e.text for e in nlp("the supervisor").ents] == ["supervisor"]
