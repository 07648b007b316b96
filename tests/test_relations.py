"""The relation step: where item headings start, partial authorizations, item blocks."""
import pytest

from conftest import DECISIONS_INTRO

from pipeline.headings import heading_start, split_partial


@pytest.fixture(scope="module")
def rules(nlp):
    return nlp.get_pipe("imr_items").rules


def test_wrapped_heading_after_the_section_intro(rules):
    text = (
        "set forth below:\nReferral to chiropractor for low back pain, twice a week for 3 weeks: Upheld"
    )
    cue = text.index(": Upheld")
    assert text[heading_start(text, 0, cue, rules.continuation, rules.section_intro) : cue] == "Referral to chiropractor for low back pain, twice a week for 3 weeks"


def test_heading_after_a_rationale_without_blank_line(rules):
    text = "Decision rationale: No red flags. The request is not medically necessary.\nX-rays of the lumbar spine: Upheld"
    cue = text.index(": Upheld")
    assert text[heading_start(text, 0, cue, rules.continuation, rules.section_intro) : cue] == "X-rays of the lumbar spine"


def test_partial_authorization_heading_keeps_its_sentences(rules):
    text = (
        "The request is not medically necessary.\n"
        "Retrospective Cyclobenzaprine 7.5mg #60, per 12/07/2016 order was the original request.\n"
        "Retrospective Cyclobenzaprine 7.5mg #42, per 12/07/2016 order was authorized by the Claims Administrator. "
        "The remaining IMR eligible portion of the original request, Retrospective Cyclobenzaprine 7.5mg #18, per "
        "12/07/2016 order is: Upheld"
    )
    cue = text.index(": Upheld")
    start = heading_start(text, 0, cue, rules.continuation, rules.section_intro)
    assert text[start:].startswith("Retrospective Cyclobenzaprine 7.5mg #60")
    (r_start, r_end), mod = split_partial(text, start, cue, rules.partial)
    assert text[r_start:r_end] == "Retrospective Cyclobenzaprine 7.5mg #18, per 12/07/2016 order"
    assert text[mod["original"][0] : mod["original"][1]] == "Retrospective Cyclobenzaprine 7.5mg #60, per 12/07/2016 order"
    assert text[mod["authorized"][0] : mod["authorized"][1]] == "Retrospective Cyclobenzaprine 7.5mg #42, per 12/07/2016 order"


def test_partial_authorization_second_wording(rules):
    heading = (
        "Physical therapy 2 times a week for 6 weeks (12 sessions) to the right elbow was the original request. "
        "The Claims Administrator authorized 2 sessions of occupational therapy, leaving the original request IMR "
        "eligible. The original request, physical therapy 2 times a week for 6 weeks (12 sessions) to the right elbow is"
    )
    (start, end), mod = split_partial(heading, 0, len(heading), rules.partial)
    assert heading[start:end] == "physical therapy 2 times a week for 6 weeks (12 sessions) to the right elbow"
    assert heading[mod["authorized"][0] : mod["authorized"][1]] == "2 sessions of occupational therapy"


def test_plain_heading_is_not_a_partial_authorization(rules):
    heading = "Norco 10/325mg #60"
    assert split_partial(heading, 0, len(heading), rules.partial) == ((0, len(heading)), None)


def test_items_of_a_letter_with_many_headings(nlp):
    text = DECISIONS_INTRO
    names = ["Ultram 50mg #30", "Flexeril 10mg #60", "MRI of the lumbar spine", "Acupuncture 6 sessions"]
    for i, name in enumerate(names):
        word = "Upheld" if i % 2 == 0 else "Overturned"
        verdict = "not medically necessary" if i % 2 == 0 else "medically necessary"
        text += f"{name}: {word}\n\nClaims Administrator guideline: Decision based on MTUS.\n\nDecision rationale: Reasons. The request is {verdict}.\n\n"
    items = nlp(text)._.record["items"]
    assert [(i["request"], i["decision"], i["medically_necessary"]) for i in items] == [
        ("Ultram 50mg #30", "upheld", False),
        ("Flexeril 10mg #60", "overturned", True),
        ("MRI of the lumbar spine", "upheld", False),
        ("Acupuncture 6 sessions", "overturned", True),
    ]
    assert [i["quantity"] and i["quantity"]["value"] for i in items] == [30, 60, None, 6]
    assert [(i["drug"] or {}).get("name") for i in items] == ["tramadol", "cyclobenzaprine", None, None]
    assert [(i["treatment"] or {}).get("name") for i in items] == [None, None, "MRI", "acupuncture"]


def test_a_drug_given_as_a_procedure_makes_the_item_a_procedure(nlp):
    text = DECISIONS_INTRO
    names = ["three Synvisc injections for the left knee", "Botox 200 units for chronic migraine", "Toradol 60mg intramuscular injection"]
    for name in names:
        text += f"{name}: Upheld\n\nDecision rationale: Reasons. The request is not medically necessary.\n\n"
    doc = nlp(text)
    assert [(e.text, e.label_) for e in doc.ents if e.label_ in ("DRUG", "QUANTITY", "STRENGTH")][:5] == [
        ("three", "QUANTITY"), ("Synvisc", "DRUG"), ("Botox", "DRUG"), ("200 units", "STRENGTH"), ("Toradol", "DRUG"),
    ]
    items = doc._.record["items"]
    assert [(i["drug"] or {}).get("name") for i in items] == [None, None, "ketorolac"]
    assert [(i["strength"] or {}).get("values") for i in items] == [None, None, [60]]
    assert [(i["quantity"] or {}).get("value") for i in items] == [3, None, None]
