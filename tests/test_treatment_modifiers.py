"""Treatment spans widened over the kind-of-treatment words before their head."""
import pytest
import spacy

from pipeline.tokenizer import create_letter_tokenizer

PATTERNS = [
    {"label": "TREATMENT", "pattern": "mri", "id": "MRI"},
    {"label": "TREATMENT", "pattern": "meniscectomy", "id": "surgery"},
    {"label": "TREATMENT", "pattern": "arthroscopic", "id": "arthroscopy"},
    {"label": "TREATMENT", "pattern": "physical therapy", "id": "physical therapy"},
    {"label": "TREATMENT", "pattern": "cryotherapy", "id": "heat/cold therapy"},
    {"label": "TREATMENT", "pattern": "brace", "id": "durable medical equipment"},
    {"label": "TREATMENT", "pattern": "consultation", "id": "consultation"},
    {"label": "TREATMENT", "pattern": "referral", "id": "consultation"},
    {"label": "TREATMENT", "pattern": "follow-up visit", "id": "consultation"},
    {"label": "SPECIALTY", "pattern": "orthopedic surgery", "id": "Orthopedic Surgery"},
    {"label": "SPECIALTY", "pattern": "rheumatology", "id": "Rheumatology"},
    {"label": "SPECIALTY", "pattern": "spine surgeon", "id": "Spine Surgery"},
    {"label": "SPECIALTY", "pattern": "physiatrist", "id": "Physical Medicine and Rehabilitation"},
]
MODIFIERS = {
    "words": ["arthroscopic", "lumbar", "spine", "knee", "partial", "medial", "post-operative", "continuous-flow", "hinged", "surgery"],
    "specialist_visits": ["consultation"],
}


def _nlp():
    nlp = spacy.blank("en")
    nlp.tokenizer = create_letter_tokenizer()(nlp)
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}).add_patterns(PATTERNS)
    nlp.add_pipe("imr_treatment_modifiers").initialize(modifiers=MODIFIERS)
    nlp.add_pipe("imr_normalizer")
    return nlp


@pytest.fixture
def nlp():
    return _nlp()


def _treatments(doc):
    return [(e.text, e._.norm) for e in doc.ents if e.label_ == "TREATMENT"]


def test_site_technique_type_and_timing_words_join_the_span(nlp):
    doc = nlp(
        "Lumbar spine MRI; arthroscopic partial medial meniscectomy; post-operative physical therapy; "
        "continuous-flow cryotherapy; hinged knee brace"
    )
    assert _treatments(doc) == [
        ("Lumbar spine MRI", "MRI"),
        ("arthroscopic partial medial meniscectomy", "surgery"),
        ("post-operative physical therapy", "physical therapy"),
        ("continuous-flow cryotherapy", "heat/cold therapy"),
        ("hinged knee brace", "durable medical equipment"),
    ]


def test_side_amount_setting_other_entities_and_blank_lines_stop_it(nlp):
    doc = nlp("left knee brace; additional physical therapy; outpatient lumbar MRI; Orthopedic surgery MRI; lumbar\n\nMRI; L5-S1 MRI")
    assert _treatments(doc) == [
        ("knee brace", "durable medical equipment"),
        ("physical therapy", "physical therapy"),
        ("lumbar MRI", "MRI"),
        ("MRI", "MRI"),
        ("MRI", "MRI"),
        ("MRI", "MRI"),
    ]
    assert [e.text for e in doc.ents if e.label_ == "SPECIALTY"] == ["Orthopedic surgery"]


def test_round_trip_bytes_and_disk(nlp, tmp_path):
    pipe = nlp.get_pipe("imr_treatment_modifiers")
    other = _nlp()
    other.replace_pipe("imr_treatment_modifiers", "imr_treatment_modifiers")
    other.get_pipe("imr_treatment_modifiers").from_bytes(pipe.to_bytes())
    assert _treatments(other("knee MRI")) == [("knee MRI", "MRI")]
    pipe.to_disk(tmp_path / "tm")
    third = _nlp()
    third.replace_pipe("imr_treatment_modifiers", "imr_treatment_modifiers")
    third.get_pipe("imr_treatment_modifiers").from_disk(tmp_path / "tm")
    assert _treatments(third("hinged knee brace")) == [("hinged knee brace", "durable medical equipment")]
    assert _treatments(third("physiatrist referral")) == [("physiatrist referral", "consultation")]


def test_a_specialty_before_a_visit_names_the_kind_of_visit(nlp):
    doc = nlp(
        "Rheumatology consultation; physiatrist referral; Orthopedic surgery follow-up visit; "
        "referral to a spine surgeon; a consultation with rheumatology; spine surgeon\n\nconsultation"
    )
    assert _treatments(doc) == [
        ("Rheumatology consultation", "consultation"),
        ("physiatrist referral", "consultation"),
        ("Orthopedic surgery follow-up visit", "consultation"),
        ("referral", "consultation"),
        ("consultation", "consultation"),
        ("consultation", "consultation"),
    ]
    assert [e.text for e in doc.ents if e.label_ == "SPECIALTY"] == ["spine surgeon", "rheumatology", "spine surgeon"]


def test_used_before_initialize_says_so():
    nlp = spacy.blank("en")
    nlp.add_pipe("imr_treatment_modifiers")
    with pytest.raises(ValueError, match="initialize"):
        nlp("knee MRI")


def test_a_proposed_treatment_of_modifier_words_only_is_dropped(nlp):
    from spacy.language import Language
    @Language.component("propose_post_op")
    def propose(doc):  # a stand-in for a trained ner: spans without a lexicon id
        spans = [doc.char_span(0, 14, label="TREATMENT"), doc.char_span(29, 35, label="TREATMENT")]
        doc.ents = sorted(list(doc.ents) + spans, key=lambda s: s.start)
        return doc

    nlp.add_pipe("propose_post_op", before="imr_treatment_modifiers")
    doc = nlp("Post-operative Norco, hinged walker")
    assert _treatments(doc) == [("hinged walker", "hinged walker")]


def test_a_proposed_treatment_right_before_a_lexicon_one_becomes_its_modifier(nlp):
    from spacy.language import Language

    @Language.component("propose_abduction")
    def propose(doc):  # a stand-in for a trained ner: a span without a lexicon id
        doc.ents = sorted(list(doc.ents) + [doc.char_span(0, 9, label="TREATMENT")], key=lambda s: s.start)
        return doc

    nlp.add_pipe("propose_abduction", before="imr_treatment_modifiers")
    assert _treatments(nlp("Abduction brace")) == [("Abduction brace", "durable medical equipment")]
