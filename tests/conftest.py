"""Shared fixtures: the rules pipeline (built once), the example letters, small texts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = ["000_f03b8f82d3723e56", "001_722e60520c9ccd5f"]


@pytest.fixture(scope="session")
def nlp():
    import pipeline

    return pipeline.load()


@pytest.fixture(scope="session")
def seed_texts():
    return {name: (EXAMPLES / f"{name}.txt").read_text(encoding="utf8") for name in SEEDS}


@pytest.fixture(scope="session")
def seed_records():
    return {name: json.loads((FIXTURES / f"{name}.record.json").read_text(encoding="utf8")) for name in SEEDS}


@pytest.fixture
def blank():
    return spacy.blank("en")


# The opening of a decisions section, for tests that write only items.
DECISIONS_INTRO = (
    "IMR ISSUES, DECISIONS AND RATIONALES\nThe Final Determination was based on decisions for the disputed "
    "items/services set forth below:\n\n"
)


# A short letter in the real letters' single-spaced layout, written for the tests:
# header table, wrapped heading, a partial authorization and a second item.
HEADER_LETTER = """\
Case Number:          CM16-0100001
Date Assigned:        10/03/2016                      Date of Injury:      04/22/2014
Decision Date:        11/01/2016                      UR Denial Date:      09/20/2016
Priority:             Standard                        Application          09/28/2016
                                                      Received:

                 HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the complete case file to an expert reviewer.

The Expert Reviewer has the following credentials:
State(s) of Licensure: California,Oregon
Certification(s)/Specialty: Orthopedic Surgery, Sports Medicine

                                CLINICAL CASE SUMMARY
The injured worker is a 52 year old female who sustained an industrial injury on 04-22-14.
She reports low back pain. On 09-20-16, utilization review modified the request.

                      IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Tramadol ER 150mg #60 was the original request. Tramadol ER 150mg #30 was authorized by the
Claims Administrator. The remaining IMR eligible portion of the original request, Tramadol ER
150mg #30 is: Upheld
Claims Administrator guideline: The Claims Administrator did not cite any medical evidence
for its decision.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s):
Tramadol (Ultram). Decision based on Non-MTUS Citation Official Disability Guidelines (ODG)
Pain Chapter, Tramadol and ODG Low Back Chapter, Opioids.

Decision rationale: There is no documented functional improvement with this medication.
Therefore, the request is not medically necessary.

Physical therapy for the lumbar spine two times a week for six
weeks: Overturned

Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004, Section(s):
Physical Methods.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s):
Physical medicine treatment, Page(s): 98-99.

Decision rationale: The worker has not had therapy for this flare. The request is medically
necessary.
"""


@pytest.fixture(scope="session")
def header_letter():
    return HEADER_LETTER
