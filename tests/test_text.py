"""Normalization of PDF-extracted text and the offset map back to the input."""
from pipeline.text import OffsetMap, normalize


def _check_map(text: str) -> None:
    """Every character of the clean text that was copied maps back to itself."""
    norm = normalize(text)
    omap = OffsetMap(norm.segments)
    segs = norm.segments
    for i in range(0, len(segs), 4):
        o, s, ol, sl = segs[i : i + 4]
        if ol == sl:
            for k in range(ol):
                a, b = omap.span(o + k, o + k + 1)
                assert (a, b) == (s + k, s + k + 1)


def test_clean_text_is_identity():
    text = "Carisoprodol 350mg tablet, #60: Overturned"
    norm = normalize(text)
    assert norm.text == text
    assert norm.identity


def test_double_spaced_lines_join_and_paragraphs_stay(seed_texts):
    text = seed_texts["000_f03b8f82d3723e56"]
    norm = normalize(text)
    assert "Carsoprodol 350 mg, ninety count: Upheld" in norm.text
    # a line broken mid-sentence becomes one line; the paragraph break stays
    assert "MTUS Chronic Pain Treatment Guidelines Muscle relaxants Page(s): 63-66." in norm.text
    assert "\n\nCLINICAL CASE SUMMARY\n" in norm.text
    _check_map(text)


def test_offsets_map_back_to_the_input(seed_texts):
    text = seed_texts["000_f03b8f82d3723e56"]
    norm = normalize(text)
    omap = OffsetMap(norm.segments)
    phrase = "MTUS Chronic Pain Treatment Guidelines Muscle relaxants"
    start = norm.text.index(phrase)
    a, b = omap.span(start, start + len(phrase))
    assert text[a:b] == "MTUS Chronic Pain Treatment Guidelines Muscle \n\nrelaxants"


def test_redaction_blanks_collapse_and_map_to_the_gap():
    text = "The injured worker is a          year old male."
    norm = normalize(text)
    assert norm.text == "The injured worker is a year old male."
    omap = OffsetMap(norm.segments)
    start = norm.text.index("year")
    assert text[omap.start(start) :].startswith("year old")


def test_page_footer_form_feed_and_quotes():
    text = "The request for \u201cMRI\u201d of the\nPage 2 of 5\n\fleft knee is not medically\nnecessary."
    norm = normalize(text)
    assert norm.text == 'The request for "MRI" of the left knee is not medically necessary.'
    _check_map(text)


def test_a_page_break_is_a_line_break_and_blank_lines_before_it_count():
    text = "Physical therapy 8 sessions was the original request. Six sessions was\n\fauthorized by the Claims Administrator."
    assert "\n" not in normalize(text).text
    text = "cc: Division of Workers' Compensation\n\n\f1) MAXIMUS Federal Services, Inc. has determined"
    assert normalize(text).text == "cc: Division of Workers' Compensation\n\n1) MAXIMUS Federal Services, Inc. has determined"


def test_line_ending_in_hyphen_or_slash_joins_without_space():
    norm = normalize("initial acupuncture, 1-\n2 times per week\nEMG/\nNCV")
    assert norm.text == "initial acupuncture, 1-2 times per week EMG/NCV"


def test_lines_ending_a_sentence_or_label_keep_their_break():
    norm = normalize("Claims Administrator guideline: Decision based on MTUS.\nMAXIMUS guideline:\nDecision based on ODG.")
    assert norm.text == "Claims Administrator guideline: Decision based on MTUS.\nMAXIMUS guideline:\nDecision based on ODG."


def test_headings_in_capitals_stand_on_their_own_line():
    norm = normalize("   CLINICAL CASE SUMMARY\nThe expert reviewer developed")
    assert norm.text == "CLINICAL CASE SUMMARY\nThe expert reviewer developed"


def test_whitespace_only_and_empty():
    assert normalize("").text == ""
    assert normalize(" \n\n \f ").text == ""
    assert OffsetMap(()).span(0, 0) == (0, 0)


def test_repeated_page_headers_are_dropped_after_the_first_page():
    header = "MAXIMUS FEDERAL SERVICES, INC.\nCM15-0012345"
    text = f"{header}\nThe worker reports pain in the\n\f{header}\nlow back.\n\f{header}\nMore text."
    norm = normalize(text)
    assert norm.text == "MAXIMUS FEDERAL SERVICES, INC.\nCM15-0012345 The worker reports pain in the low back.\nMore text."
    _check_map(text)


def test_word_hyphenated_at_a_line_end_is_joined_when_the_letter_uses_it_whole():
    text = "He completed work condi-\ntioning in May. Work conditioning helped. A follow-\nup visit, 1-\n2 times."
    norm = normalize(text)
    assert norm.text == "He completed work conditioning in May. Work conditioning helped. A follow-up visit, 1-2 times."
    _check_map(text)
    omap = OffsetMap(norm.segments)
    start = norm.text.index("conditioning")
    assert text[slice(*omap.span(start, start + len("conditioning")))] == "condi-\ntioning"


def test_source_offsets_map_to_normalized_offsets(seed_texts):
    text = seed_texts["000_f03b8f82d3723e56"]
    norm = normalize(text)
    omap = OffsetMap(norm.segments)
    for phrase in ["Carsoprodol 350 mg, ninety count", "Physical Medicine & Rehabilitation"]:
        src = text.index(phrase)
        start = omap.to_normalized(src)
        assert norm.text[start : start + len(phrase)] == phrase


def test_normalizing_twice_changes_nothing(seed_texts, header_letter):
    for text in [*seed_texts.values(), header_letter]:
        once = normalize(text).text
        assert normalize(once).text == once
