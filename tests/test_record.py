"""Whole records: the two example letters field by field, a header-table letter, the schema."""
import pytest

from conftest import DECISIONS_INTRO

from pipeline.record import validate_record


def _record(nlp, text, source=None):
    doc = nlp(text)
    doc._.source = source
    return doc._.record


@pytest.mark.parametrize("name", ["000_f03b8f82d3723e56", "001_722e60520c9ccd5f"])
def test_seed_records_exactly(nlp, seed_texts, seed_records, name):
    record = _record(nlp, seed_texts[name], f"examples/{name}.txt")
    assert record == seed_records[name]
    validate_record(record)


def test_seed_000_traps(seed_records, seed_texts):
    """The heading says "ninety count" though the summary says #120; "her sleep" in a male worker's letter."""
    record = seed_records["000_f03b8f82d3723e56"]
    text = seed_texts["000_f03b8f82d3723e56"]
    first, second = record["items"]
    assert first["quantity"] == {"text": "ninety count", "value": 90}
    assert first["drug"] == {"text": "Carsoprodol", "name": "carisoprodol", "ids": {"drugbank": ["DB00395"], "mesh": ["D009125"]}}
    assert second["drug"] == {
        "text": "Hydrocodone/APAP", "name": "hydrocodone/acetaminophen",
        "ids": {"drugbank": ["DB00956", "DB00316"], "mesh": ["D009294", "D058633"]},
    }
    assert second["strength"] == {"text": "10/325 mg", "values": [10, 325], "unit": "mg"}
    assert record["patient"] == {"age": 60, "sex": "male"}
    assert record["case"]["date_of_injury"] == "2009-08-13"
    assert [(g["cited_by"], g["source"], g["topic"], g["pages"]) for g in first["guidelines"]] == [
        ("claims_administrator", "MTUS", None, None),
        ("reviewer", "MTUS", "Muscle relaxants", "63-66"),
    ]
    assert text[first["start"] : first["end"]] == "Carsoprodol 350 mg, ninety count"


def test_seed_001(seed_records):
    record = seed_records["001_722e60520c9ccd5f"]
    assert record["reviewer"] == {"specialties": ["Physical Medicine and Rehabilitation"], "licensure_states": ["Nevada"]}
    assert record["patient"] == {"age": 40, "sex": "male"}
    (item,) = record["items"]
    assert (item["decision"], item["medically_necessary"]) == ("overturned", True)
    assert [(g["source"], g["topic"], g["pages"]) for g in item["guidelines"]] == [
        ("MTUS", "Carisoprodol (Soma)", "29"),
        ("Non-MTUS", "Muscle relaxants (for pain)", "63-66"),
    ]


def test_every_offset_indexes_the_original_text(nlp, seed_texts, header_letter):
    for text in [*seed_texts.values(), header_letter]:
        record = _record(nlp, text)
        for ent in record["entities"]:
            assert " ".join(text[ent["start"] : ent["end"]].split()) == ent["text"]
        for item in record["items"]:
            assert " ".join(text[item["start"] : item["end"]].split()) == item["request"]
            rationale = text[item["rationale"]["start"] : item["rationale"]["end"]]
            assert "medically" in rationale


def test_header_table_letter(nlp, header_letter):
    record = _record(nlp, header_letter)
    validate_record(record)
    assert record["case"] == {
        "case_number": "CM16-0100001", "date_assigned": "2016-10-03", "decision_date": "2016-11-01",
        "date_of_injury": "2014-04-22", "ur_decision_date": "2016-09-20", "application_date": "2016-09-28",
    }
    assert record["reviewer"] == {"specialties": ["Orthopedic Surgery", "Sports Medicine"], "licensure_states": ["California", "Oregon"]}
    assert record["patient"] == {"age": 52, "sex": "female"}
    partial, therapy = record["items"]
    assert partial["request"] == "Tramadol ER 150mg #30"
    assert partial["quantity"]["value"] == 30
    assert partial["ur_modification"] == {"original": "Tramadol ER 150mg #60", "authorized": "Tramadol ER 150mg #30"}
    assert [(g["cited_by"], g["source"], g["chapter"], g["topic"]) for g in partial["guidelines"]] == [
        ("reviewer", "MTUS", None, "Tramadol (Ultram)"),
        ("reviewer", "ODG", "Pain", "Tramadol"),
        ("reviewer", "ODG", "Low Back", "Opioids"),
    ]
    assert therapy["request"] == "Physical therapy for the lumbar spine two times a week for six weeks"
    assert therapy["quantity"] == {"text": "two times a week for six weeks", "value": 12}
    assert therapy["treatment"] == {"text": "Physical therapy", "name": "physical therapy"}
    assert (therapy["drug"], therapy["strength"]) == (None, None)
    assert (therapy["decision"], therapy["medically_necessary"], therapy["warnings"]) == ("overturned", True, [])


def test_disagreement_between_decision_and_rationale_is_a_warning(nlp):
    text = (
        DECISIONS_INTRO + "MRI of the left knee: Upheld\n\nDecision rationale: Imaging is "
        "warranted here. The request is medically necessary.\n"
    )
    (item,) = _record(nlp, text)["items"]
    assert item["decision"] == "upheld"
    assert item["medically_necessary"] is True
    assert len(item["warnings"]) == 1 and "W001" in item["warnings"][0]


def test_missing_conclusion_is_taken_from_the_decision_with_a_warning(nlp):
    text = (
        DECISIONS_INTRO + "TENS unit: Overturned\n\nDecision rationale: The trial helped.\n"
    )
    (item,) = _record(nlp, text)["items"]
    assert (item["decision"], item["medically_necessary"]) == ("overturned", True)
    assert "W002" in item["warnings"][0]


def test_compounded_cream(nlp):
    text = (
        DECISIONS_INTRO + "Flurbiprofen 20%/Baclofen 2%/Lidocaine 5% cream 180 gm: Upheld\n\n"
        "Decision rationale: Compounded products are not recommended. The request is not medically necessary.\n"
    )
    (item,) = _record(nlp, text)["items"]
    assert item["drug"]["text"] == "Flurbiprofen/Baclofen/Lidocaine"
    assert item["drug"]["name"] == "flurbiprofen/baclofen/lidocaine"
    assert item["drug"]["ids"]["drugbank"] == ["DB00712", "DB00181", "DB00281"]
    assert item["strength"] == {"text": "20%/2%/5%", "values": [20, 2, 5], "unit": "%"}
    assert item["quantity"] is None


def test_schema_refuses_a_wrong_record(seed_records):
    bad = dict(seed_records["001_722e60520c9ccd5f"], layout="letter")
    with pytest.raises(ValueError, match="E305"):
        validate_record(bad)
