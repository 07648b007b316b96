"""Layout and section detection, with its data given at initialize and saved with it."""
import srsly

from pipeline.resources import data_dir
from pipeline.sections import compile_layouts, detect_layout, find_sections

LAYOUTS = srsly.read_json(data_dir("patterns") / "layouts.json")


def _component(nlp):
    pipe = nlp.add_pipe("imr_sections")
    nlp.initialize()
    pipe.initialize(layouts=LAYOUTS)
    return pipe


def test_seed_layout_and_sections(blank, seed_texts):
    _component(blank)
    doc = blank(seed_texts["000_f03b8f82d3723e56"])
    assert doc._.layout == "final-determination"
    assert [s.label_ for s in doc.spans["sections"]] == ["how_made", "case_summary", "decisions"]
    assert doc.spans["sections"][2].text.startswith("IMR ISSUES, DECISIONS AND RATIONALES")


def test_layouts_are_told_apart():
    compiled = compile_layouts(LAYOUTS)
    documents = "MAXIMUS FEDERAL SERVICES, INC.\nHOW THE IMR FINAL DETERMINATION WAS MADE\nDOCUMENTS REVIEWED\n"
    notice = (
        "MAXIMUS FEDERAL SERVICES, INC.\nNotice of Independent Medical Review Determination\nDated: 9/26/2013\n"
        "1) MAXIMUS Federal Services, Inc. has determined the request for a 28 day functional restoration program "
        "is not medically necessary and appropriate.\nINDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE\n"
    )
    assert detect_layout(documents, compiled).name == "final-determination-documents"
    assert detect_layout(notice, compiled).name == "notice-2013"
    assert detect_layout("A letter about something else.", compiled).name == "unknown"
    # a heading named in running text is not a heading
    running = "See the section titled IMR DECISION(S) AND RATIONALE(S) below.\nHOW THE IMR FINAL DETERMINATION WAS MADE\n"
    assert [s[0] for s in find_sections(running, compiled)] == ["header", "how_made"]


def test_text_before_the_first_heading_is_the_header(header_letter):
    sections = find_sections(header_letter, compile_layouts(LAYOUTS))
    assert sections[0][0] == "header" and sections[0][1] == 0
    assert [s[0] for s in sections] == ["header", "how_made", "case_summary", "decisions"]


def test_round_trip_bytes_and_disk(blank, tmp_path, seed_texts):
    import spacy

    _component(blank)
    text = seed_texts["001_722e60520c9ccd5f"]

    def sections(nlp):
        doc = nlp(text)
        return [(s.label_, s.start_char, s.end_char) for s in doc.spans["sections"]]

    expected = sections(blank)
    other = spacy.blank("en")
    other.add_pipe("imr_sections").from_bytes(blank.get_pipe("imr_sections").to_bytes())
    assert sections(other) == expected
    blank.get_pipe("imr_sections").to_disk(tmp_path / "sections")
    third = spacy.blank("en")
    third.add_pipe("imr_sections").from_disk(tmp_path / "sections")
    assert sections(third) == expected


def test_uninitialized_component_says_what_to_do(blank):
    import pytest

    blank.add_pipe("imr_sections")
    with pytest.raises(ValueError, match="E301"):
        blank("HOW THE IMR FINAL DETERMINATION WAS MADE")
