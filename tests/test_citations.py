"""Guideline citations: sources, topics, chapters and pages, on written lines."""
import pytest

from conftest import DECISIONS_INTRO


def _citations(nlp, line):
    doc = nlp(line)
    from pipeline.citations import parse_citations

    rules = nlp.get_pipe("imr_items").rules.citations
    mentions = [(e.start_char, e.end_char, e._.norm) for e in doc.ents if e.label_ == "GUIDELINE"]
    return [
        (c["source"], doc.text[c["start"] : c["end"]], c["topic"], c["chapter"], c["pages"])
        for c in parse_citations(doc.text, 0, len(doc.text), mentions, rules)
    ]


@pytest.mark.parametrize(
    "line,expected",
    [
        (
            "Decision based on MTUS Chronic Pain Treatment Guidelines CRITERIA FOR USE OF OPIOIDS Page(s): 76-78, 88-89.",
            [("MTUS", "MTUS Chronic Pain Treatment Guidelines CRITERIA FOR USE OF OPIOIDS Page(s): 76-78, 88-89", "CRITERIA FOR USE OF OPIOIDS", None, "76-78, 88-89")],
        ),
        (
            "The Expert Reviewer did not base their decision on the MTUS. Decision based on Non-MTUS Citation Muscle relaxants (for pain) Page 63-66 of 127.",
            [("Non-MTUS", "Non-MTUS Citation Muscle relaxants (for pain) Page 63-66 of 127", "Muscle relaxants (for pain)", None, "63-66")],
        ),
        (
            "Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.",
            [("MTUS", "MTUS Low Back Complaints 2004, Section(s): Special Studies", "Special Studies", "Low Back Complaints", None)],
        ),
        (
            "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Pain Chapter, Zolpidem (Ambien).",
            [("ODG", "Non-MTUS Citation Official Disability Guidelines (ODG), Pain Chapter, Zolpidem (Ambien)", "Zolpidem (Ambien)", "Pain", None)],
        ),
        (
            "Decision based on Non-MTUS Citation ACOEM guidelines and the Official Disability Guidelines.",
            [("ACOEM", "Non-MTUS Citation ACOEM guidelines", None, None, None), ("ODG", "Official Disability Guidelines", None, None, None)],
        ),
        (
            "Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Initial Care, and Shoulder Complaints 2004, Section(s): Summary.",
            [
                ("MTUS", "MTUS Neck and Upper Back Complaints 2004, Section(s): Initial Care", "Initial Care", "Neck and Upper Back Complaints", None),
                ("MTUS", "Shoulder Complaints 2004, Section(s): Summary", "Summary", "Shoulder Complaints", None),
            ],
        ),
        ("The Claims Administrator did not cite any medical evidence for its decision.", []),
        (
            "Decision based on ACOEM Practice Guidelines, Chapter 12, Low Back Complaints, page 303.",
            [("ACOEM", "ACOEM Practice Guidelines, Chapter 12, Low Back Complaints, page 303", "Low Back Complaints", "12", "303")],
        ),
    ],
)
def test_citation_lines(nlp, line, expected):
    assert _citations(nlp, line) == expected


@pytest.mark.parametrize(
    "line,expected",
    [
        (
            "The Claims Administrator based its decision on the ACOEM Practice Guidelines, 2nd Edition (2004), "
            "Chapter 11, page 270, which is part of the MTUS.",
            [("ACOEM", "11", "270")],
        ),
        (
            "The Expert Reviewer based his/her decision on the Official Disability Guidelines (ODG), Head Chapter, "
            "Triptans, which is not part of the MTUS, and on the FDA prescribing information for Imitrex.",
            [("ODG", "Head", None), ("Non-MTUS", None, None)],
        ),
        (
            "The Claims Administrator based their decision on recommendation(s) outside of the MTUS Guidelines. "
            "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Knee & Leg Chapter, Meniscectomy.",
            [("ODG", "Knee & Leg", None)],
        ),
        (
            "Decision based on MTUS Chronic Pain Treatment Guidelines Lumbar sympathetic block Page(s): 57; CRPS, "
            "sympathetic and epidural blocks Page(s): 39-40.",
            [("MTUS", None, "57")],
        ),
        (
            "Decision based on Non-MTUS Citation Neck and Upper Back, Physical Therapy, ODG Preface - Physical Therapy.",
            [("ODG", "Neck and Upper Back", None)],
        ),
    ],
)
def test_sources_and_outside_documents(nlp, line, expected):
    assert [(c[0], c[3], c[4]) for c in _citations(nlp, line)] == expected


def test_reviewer_who_adopts_the_claims_administrators_guideline(nlp):
    text = (
        DECISIONS_INTRO + "Wrist splint: Upheld\n\nClaims Administrator guideline: Decision based on "
        "MTUS Forearm, Wrist, and Hand Complaints 2004, Section(s): Initial Care.\n\nMAXIMUS guideline: The Expert "
        "Reviewer found the guideline relied upon by the Claims Administrator relevant and appropriate.\n\n"
        "Decision rationale: Not needed. The request is not medically necessary.\n"
    )
    (item,) = nlp(text)._.record["items"]
    assert [(g["cited_by"], g["source"], g["chapter"], g["topic"]) for g in item["guidelines"]] == [
        ("claims_administrator", "MTUS", "Forearm, Wrist, and Hand Complaints", "Initial Care"),
        ("reviewer", "MTUS", "Forearm, Wrist, and Hand Complaints", "Initial Care"),
    ]
