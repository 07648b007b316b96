"""Entity norms and combination drug names, on a blank pipeline with a small ruler."""
import pytest


def _with_normalizer(blank, patterns):
    """A blank pipeline: an entity ruler with ``patterns``, then the normalizer."""
    blank.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}).add_patterns(patterns)
    blank.add_pipe("imr_normalizer")
    return blank


@pytest.fixture
def nlp(blank):
    return _with_normalizer(
        blank,
        [
            {"label": "DRUG", "pattern": "hydrocodone", "id": "hydrocodone"},
            {"label": "DRUG", "pattern": "apap", "id": "acetaminophen"},
            {"label": "DRUG", "pattern": "soma", "id": "carisoprodol"},
            {"label": "STRENGTH", "pattern": [{"TEXT": {"REGEX": r"^\d+(/\d+)*$"}}, {"LOWER": "mg"}]},
            {"label": "STRENGTH", "pattern": [{"LIKE_NUM": True}, {"ORTH": "%"}]},
            {"label": "QUANTITY", "pattern": [{"ORTH": "#"}, {"LIKE_NUM": True}]},
            {"label": "DATE", "pattern": [{"TEXT": {"REGEX": r"^\d+/\d+/\d{4}$"}}]},
        ],
    )


def test_combination_is_one_drug_in_written_order(nlp):
    doc = nlp("Hydrocodone/APAP 10/325 mg #120 and Soma on 02/05/2015")
    got = [(e.label_, e.text, e._.norm) for e in doc.ents]
    assert got == [
        ("DRUG", "Hydrocodone/APAP", "hydrocodone/acetaminophen"),
        ("STRENGTH", "10/325 mg", "10/325 mg"),
        ("QUANTITY", "#120", "120"),
        ("DRUG", "Soma", "carisoprodol"),
        ("DATE", "02/05/2015", "2015-02-05"),
    ]


def test_drugs_joined_by_and_stay_apart(nlp):
    doc = nlp("APAP and Hydrocodone")
    assert [e._.norm for e in doc.ents] == ["acetaminophen", "hydrocodone"]


def test_norms_survive_doc_bytes(nlp):
    from spacy.tokens import Doc

    doc = nlp("Hydrocodone/APAP #60")
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [(e.text, e._.norm) for e in again.ents] == [("Hydrocodone/APAP", "hydrocodone/acetaminophen"), ("#60", "60")]


def test_a_percentage_is_a_strength_only_beside_a_drug_or_a_dosage_form(nlp):
    doc = nlp(
        "Hydrocodone 10%, Soma 5% and Zorbex 2% cream #30. Success rates were 64.7% versus 36.5%, "
        "with at least 50% pain relief, unlike the 0.075% formulation or a 0.5% Soma gel."
    )
    assert [(e.label_, e.text) for e in doc.ents] == [
        ("DRUG", "Hydrocodone"),
        ("STRENGTH", "10%"),
        ("DRUG", "Soma"),
        ("STRENGTH", "5%"),
        ("STRENGTH", "2%"),
        ("QUANTITY", "#30"),
        ("STRENGTH", "0.075%"),
        ("STRENGTH", "0.5%"),
        ("DRUG", "Soma"),
    ]


def test_release_suffix_is_part_of_the_drug_name(nlp):
    doc = nlp("Soma ER 350 mg #30, Hydrocodone/APAP XL #60, Soma. DR visit, Soma and ER visit")
    got = [(e.label_, e.text, e._.norm) for e in doc.ents if e.label_ == "DRUG"]
    assert got == [
        ("DRUG", "Soma ER", "carisoprodol"),
        ("DRUG", "Hydrocodone/APAP XL", "hydrocodone/acetaminophen"),
        ("DRUG", "Soma", "carisoprodol"),
        ("DRUG", "Soma", "carisoprodol"),
    ]


@pytest.fixture
def counting(blank):
    return _with_normalizer(
        blank,
        [
            {"label": "TREATMENT", "pattern": "aquatic therapy", "id": "aquatic therapy"},
            {"label": "TREATMENT", "pattern": "chiropractic", "id": "chiropractic"},
            {"label": "TREATMENT", "pattern": "physical therapy", "id": "physical therapy"},
        ],
    )


def test_a_count_before_its_treatment_is_a_quantity_of_its_own(counting):
    doc = counting(
        "She completed twelve therapy sessions and asked for eight more aquatic therapy sessions, "
        "up to 10 supervised physical therapy visits, two or three chiropractic visits, "
        "then the first physical therapy visits and a chiropractic visit."
    )
    got = [(e.label_, e.text, e._.norm) for e in doc.ents]
    assert got == [
        ("QUANTITY", "twelve", "12"),
        ("QUANTITY", "eight", "8"),
        ("TREATMENT", "aquatic therapy", "aquatic therapy"),
        ("QUANTITY", "10", "10"),
        ("TREATMENT", "physical therapy", "physical therapy"),
        ("QUANTITY", "two or three", "3"),
        ("TREATMENT", "chiropractic", "chiropractic"),
        ("TREATMENT", "physical therapy", "physical therapy"),
        ("TREATMENT", "chiropractic", "chiropractic"),
    ]
