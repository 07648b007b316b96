"""Property-based robustness: any text gives a schema-valid record and never an exception.

That the time grows linearly with the input is measured by scripts/bench.py --scaling, not
here: timings on shared machines are too noisy for a test.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.record import validate_record

HEADINGS = [
    "HOW THE IMR FINAL DETERMINATION WAS MADE", "CLINICAL CASE SUMMARY", "IMR ISSUES, DECISIONS AND RATIONALES",
    "DOCUMENTS REVIEWED", "IMR DECISION(S) AND RATIONALE(S)", "INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE",
    "Case Summary:", "Medical Qualifications of the Expert Reviewer:",
]
PIECES = HEADINGS + [
    "Norco 10/325mg #60: Upheld", ": Overturned", "Claims Administrator guideline:", "MAXIMUS guideline:",
    "Decision rationale:", "is not medically necessary.", "1) MAXIMUS Federal Services, Inc. has determined the request for",
    "was the original request.", "The remaining IMR eligible portion of the original request,", "2x6", "#",
    "Page 2 of 5", "\f", "\n", "\n\n", "          ", "\u00a0", "\u201c", "-\n", "Date of Injury:", "01/15/2015",
    "Decision based on", "Non-MTUS Citation", "Page(s): 63-66", "Section(s):", "and ODG", ";",
]
settings_ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _check(nlp, text):
    doc = nlp(text)
    record = doc._.record
    validate_record(record)
    for ent in record["entities"]:
        assert 0 <= ent["start"] <= ent["end"] <= len(text)
    for item in record["items"]:
        assert 0 <= item["start"] <= item["end"] <= len(text)


@settings_
@given(st.text(max_size=400))
def test_arbitrary_unicode(nlp, text):
    _check(nlp, text)


@settings_
@given(st.lists(st.sampled_from(PIECES), max_size=80))
def test_letter_shaped_fragments(nlp, pieces):
    _check(nlp, " ".join(pieces))


@settings_
@given(st.data())
def test_random_cuts_of_a_letter(nlp, seed_texts, header_letter, data):
    text = data.draw(st.sampled_from([*seed_texts.values(), header_letter]))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    _check(nlp, text[start:end])


def test_deeply_repeated_headings_and_long_lines(nlp):
    _check(nlp, "\n".join(HEADINGS) * 200)
    _check(nlp, "x" * 200_000)
    _check(nlp, ("Norco 10/325mg #60: Upheld " * 3000))
