"""Case facts: header fields, dates by role, the patient and the expert reviewer.

Where a letter states each fact is data (patterns/case_facts.json): labels of
the header table, and cue phrases that give a date in the narrative its role
("sustained an industrial injury on ..." is the date of injury). The component
reads entities tagged by the rulers and writes plain values to ``doc._.facts``.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Pattern, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from .extensions import text_of
from .errors import Errors
from .normalize import to_iso_date
from .serialize import JsonDataMixin

CASE_FIELDS = ("case_number", "date_assigned", "decision_date", "date_of_injury", "ur_decision_date", "application_date")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z(\"']|\s*\n|\s*$)|\n\n")
# How far a sentence may reach on either side of a date (keeps the work linear in the text).
_SENTENCE_REACH = 400
# Cues after a date are less telling than cues before it ("filed on DATE disputing the UR ...").
_AFTER_PENALTY = 10


class CompiledFacts:
    """Compiled regular expressions of patterns/case_facts.json."""

    def __init__(self, data: Dict) -> None:
        try:
            self.window: int = int(data["window"])
            self.header: Dict[str, Tuple[Pattern, Optional[Pattern]]] = {
                field: (re.compile(spec["label"]), re.compile(spec["value"]) if "value" in spec else None)
                for field, spec in data["header"].items()
            }
            self.other_labels: Tuple[Pattern, ...] = tuple(re.compile(rx) for rx in data["other_labels"])
            self.narrative: Dict[str, Pattern] = {f: re.compile(r, re.I) for f, r in data["narrative"].items()}
            self.exclusions: Dict[str, Pattern] = {
                f: re.compile(r, re.I) for f, r in data.get("narrative_exclusions", {}).items()
            }
            self.reviewer_sections: Tuple[str, ...] = tuple(data["reviewer_sections"])
            self.patient_sections: Tuple[str, ...] = tuple(data["patient_sections"])
            self.sex_window: int = int(data["sex_window"])
            self.intro_sentences: int = int(data["injury_date_in_intro_sentences"])
            self.treatment_specialties: Dict[str, str] = dict(data.get("treatment_specialties", {}))
            self.specialty_context: Pattern = re.compile(data["specialty_context"], re.I)
        except (KeyError, TypeError, ValueError, re.error) as err:
            raise ValueError(Errors.E303.format(reason=f"case_facts: {err}")) from err


def sentence_bounds(text: str, start: int, end: int) -> Tuple[int, int]:
    """The sentence around [start, end): from after the previous sentence end to the next."""
    lo = 0
    for m in _SENTENCE_END.finditer(text, max(0, start - _SENTENCE_REACH), start):
        lo = m.end()
    limit = min(len(text), end + _SENTENCE_REACH)
    m = _SENTENCE_END.search(text, end, limit)
    hi = m.end() if m else limit
    return lo, hi


def _label_runs(text: str, compiled: "CompiledFacts", limit: int) -> List[List[Tuple[int, int, Optional[str]]]]:
    """Header labels found in text[:limit], grouped into runs with nothing but space between."""
    labels: List[Tuple[int, int, Optional[str]]] = []
    for field, (label, _) in compiled.header.items():
        m = label.search(text, 0, limit)
        if m:
            labels.append((m.start(), m.end(), field))
    for label in compiled.other_labels:
        for m in label.finditer(text, 0, limit):
            labels.append((m.start(), m.end(), None))
    labels.sort()
    runs: List[List[Tuple[int, int, Optional[str]]]] = []
    for item in labels:
        if runs and not text[runs[-1][-1][1] : item[0]].strip():
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _value(field: str, raw: str, compiled: "CompiledFacts") -> Optional[str]:
    value_rx = compiled.header[field][1]
    if value_rx is not None:
        m = value_rx.fullmatch(raw)
        return m.group("value") if m else None
    return to_iso_date(raw)


def header_values(text: str, dates: Sequence[Span], compiled: "CompiledFacts", limit: int) -> Dict[str, str]:
    """Values of the header table's fields found in text[:limit].

    A label's value follows it ("Date of Injury: 10/13/2016"); where text
    extraction put a column of labels before a column of values ("Case Number:
    Date Assigned: ... CM17-0118832 06/29/2017 ..."), the values are matched to
    the labels in order.
    """
    found: Dict[str, str] = {}
    for run in _label_runs(text, compiled, limit):
        after = text[run[-1][1] : run[-1][1] + 40 * len(run)].split()[: len(run)]
        if len(run) > 1 and len(after) == len(run):
            values = [_value(field, raw, compiled) if field else "" for (_, _, field), raw in zip(run, after)]
            if all(v is not None for v in values):  # every label has a value of its kind: a column
                found.update({field: v for (_, _, field), v in zip(run, values) if field})
                continue
        start, end, field = run[-1]  # the labels before it in the run have empty values
        if field is None:
            continue
        value_rx = compiled.header[field][1]
        if value_rx is not None:
            v = value_rx.search(text, end, end + compiled.window)
            if v:
                found[field] = v.group("value")
            continue
        for date in dates:
            if end <= date.start_char <= end + compiled.window and date._.norm:
                found[field] = date._.norm
                break
    return found


def narrative_dates(text: str, dates: Sequence[Span], compiled: CompiledFacts) -> Dict[str, str]:
    """Dates whose sentence holds a role cue; each date takes its nearest cue's role."""
    found: Dict[str, str] = {}
    for date in dates:
        if not date._.norm:
            continue
        lo, hi = sentence_bounds(text, date.start_char, date.end_char)
        best: Optional[Tuple[int, str]] = None
        for field, cue in compiled.narrative.items():
            if field in found:
                continue
            excl = compiled.exclusions.get(field)
            for m in cue.finditer(text, lo, hi):
                if excl is not None and excl.search(text, max(lo, m.start() - 40), min(hi, m.end() + 40)):
                    continue
                if m.end() <= date.start_char:
                    dist = date.start_char - m.end()
                elif m.start() >= date.end_char:
                    dist = m.start() - date.end_char + _AFTER_PENALTY
                else:
                    dist = 0
                if best is None or dist < best[0]:
                    best = (dist, field)
        if best is not None:
            found[best[1]] = date._.norm
    return found


def injury_near_intro(text: str, dates: Sequence[Span], intro: Span, sentences: int) -> Optional[str]:
    """The first date in the sentences that introduce the worker ("a 55-year-old male who
    was hurt on 10/02/2012 when ..."): where no cue names the date of injury, the
    introduction states it."""
    lo, hi = sentence_bounds(text, intro.start_char, intro.end_char)
    for _ in range(sentences - 1):
        hi = sentence_bounds(text, hi, hi)[1] if hi < len(text) else hi
    return next((d._.norm for d in dates if lo <= d.start_char < hi and d._.norm), None)


def _treatment_specialty(text: str, ent: Span, compiled: "CompiledFacts") -> Optional[str]:
    """The specialty a treatment word names ("Certification(s)/Specialty: Acupuncture"), if any."""
    name = compiled.treatment_specialties.get(ent._.norm or "")
    if name is None:
        return None
    lo, hi = sentence_bounds(text, ent.start_char, ent.end_char)
    return name if compiled.specialty_context.search(text, lo, hi) else None


def _in_sections(span: Span, bounds: Sequence[Tuple[int, int]]) -> bool:
    return any(lo <= span.start_char and span.end_char <= hi for lo, hi in bounds)


def _unique(values: Iterable[Optional[str]]) -> List[str]:
    out: List[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def read_facts(doc: Doc, compiled: CompiledFacts, spans_key: str = "sections") -> Dict:
    """The case, patient and reviewer facts of a processed doc, as plain values."""
    text = text_of(doc)
    sections = list(doc.spans.get(spans_key, []))
    by_label: Dict[str, List[Tuple[int, int]]] = {}
    for s in sections:
        by_label.setdefault(s.label_, []).append((s.start_char, s.end_char))
    first_body = next((s.start_char for s in sections if s.label_ != "header"), len(text))
    dates = [e for e in doc.ents if e.label_ == "DATE"]
    case: Dict[str, Optional[str]] = {field: None for field in CASE_FIELDS}
    case.update(header_values(text, dates, compiled, max(first_body, min(len(text), 600))))
    for field, value in narrative_dates(text, dates, compiled).items():
        if case.get(field) is None:
            case[field] = value

    patient_bounds = [b for name in compiled.patient_sections for b in by_label.get(name, [])] or [(0, len(text))]
    age: Optional[int] = None
    sex: Optional[str] = None
    intro = next((e for e in doc.ents if e.label_ == "AGE" and _in_sections(e, patient_bounds) and e._.norm), None)
    if intro is not None:
        age = int(intro._.norm)
        after = doc[intro.end : intro.end + compiled.sex_window]
        sex = next((e._.norm for e in after.ents if e.label_ == "SEX"), None)
        if case.get("date_of_injury") is None:
            case["date_of_injury"] = injury_near_intro(text, dates, intro, compiled.intro_sentences)

    reviewer_bounds = [b for name in compiled.reviewer_sections for b in by_label.get(name, [])] or [(0, len(text))]
    reviewer_ents = [e for e in doc.ents if e.label_ in ("SPECIALTY", "STATE", "TREATMENT") and _in_sections(e, reviewer_bounds)]
    specialties = _unique(
        e._.norm if e.label_ == "SPECIALTY" else _treatment_specialty(text, e, compiled)
        for e in reviewer_ents
        if e.label_ != "STATE"
    )
    return {
        "case": case,
        "patient": {"age": age, "sex": sex},
        "reviewer": {
            "specialties": specialties,
            "licensure_states": _unique(e._.norm for e in reviewer_ents if e.label_ == "STATE"),
        },
    }


class CaseFacts(JsonDataMixin):
    """Writes ``doc._.facts`` from the header table, narrative cues and entities."""

    data_filename = "case_facts.json"

    def __init__(self, nlp: Language, name: str = "imr_case_facts", *, spans_key: str = "sections") -> None:
        self.name = name
        self.spans_key = spans_key
        self.data: Optional[Dict] = None
        self._compiled: Optional[CompiledFacts] = None

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None, facts: Optional[Dict] = None) -> None:
        """Load the case-fact cues (patterns/case_facts.json)."""
        if facts is not None:
            self.set_data(facts)

    def set_data(self, data: Dict) -> None:
        self._compiled = CompiledFacts(data)
        self.data = data

    def __call__(self, doc: Doc) -> Doc:
        if self._compiled is None:
            raise ValueError(Errors.E301.format(name=self.name))
        doc._.facts = read_facts(doc, self._compiled, self.spans_key)
        return doc
