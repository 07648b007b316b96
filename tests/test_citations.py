"""Guideline citations: sources, topics, chapters and pages, on written lines."""
import pytest


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
