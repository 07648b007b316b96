"""Guideline citations: from a "... guideline:" paragraph to source, topic, chapter, pages.

A paragraph holds clauses ("Decision based on ...", "The Expert Reviewer based
his/her decision on the ..."); a clause holds segments (split at ";", "and on
the", "as well as"); a segment holds one or more citations, each starting at a
GUIDELINE entity (a line citing "MTUS ... and ODG ..." gives two). A segment
naming no known source is a Non-MTUS citation (an article, a drug label).
Mentions that only refer to a guideline ("which is part of the MTUS") name no
source. The wording is data (the "citations" block of patterns/items.json);
the functions here are pure.
"""
from __future__ import annotations

import re
from typing import Dict, List, NamedTuple, Optional, Pattern, Sequence, Tuple

NON_MTUS = "Non-MTUS"
_AND = re.compile(r",?\s*\band\s+")
_LOOKBACK = 60


class CitationRules(NamedTuple):
    clause: Pattern
    no_citation: Pattern
    adopts_claims_administrator: Pattern
    statement: Pattern
    segment: Pattern
    outside_source: Pattern
    joiner: Pattern
    not_a_source: Pattern
    pages: Pattern
    section: Pattern
    chapters: Dict[str, Pattern]
    noise_lead: Pattern
    noise_trail: Pattern


def compile_citation_rules(data: Dict) -> CitationRules:
    return CitationRules(
        clause=re.compile(data["clause"], re.I),
        no_citation=re.compile(data["no_citation"], re.I),
        adopts_claims_administrator=re.compile(data["adopts_claims_administrator"], re.I),
        statement=re.compile(data["statement"], re.I),
        segment=re.compile(data["segment"], re.I),
        outside_source=re.compile(data["outside_source"]),
        joiner=re.compile(data["joiner"], re.I),
        not_a_source=re.compile(data["not_a_source"], re.I),
        pages=re.compile(data["pages"], re.I),
        section=re.compile(data["section"], re.I),
        chapters={src: re.compile(rx, re.I) for src, rx in data["chapters"].items()},
        noise_lead=re.compile(data["noise_lead"], re.I),
        noise_trail=re.compile(data["noise_trail"], re.I),
    )


# A source mention inside a paragraph: (start, end, source) in document offsets.
Mention = Tuple[int, int, str]


def _clauses(text: str, start: int, end: int, rules: CitationRules) -> List[Tuple[int, int]]:
    marks = [m for m in rules.clause.finditer(text, start, end)]
    if not marks:
        return [(start, end)]
    return [(m.end(), marks[i + 1].start() if i + 1 < len(marks) else end) for i, m in enumerate(marks)]


def _strip(text: str, start: int, end: int) -> Tuple[int, int]:
    while start < end and text[start] in " \n,;:-":
        start += 1
    while end > start and text[end - 1] in " \n.,;:":
        end -= 1
    return start, end


def _clean(value: str, rules: CitationRules) -> Optional[str]:
    value = " ".join(value.split())
    lead = rules.noise_lead.match(value)
    if lead:
        value = value[lead.end() :]
    value = rules.noise_trail.sub("", value).strip()
    return value or None


def describe(text: str, start: int, end: int, source: str, lead_end: int, rules: CitationRules) -> Dict:
    """Topic, chapter and pages of the citation text[start:end]; lead_end ends its source names."""
    pages = None
    body_end = end
    m = rules.pages.search(text, lead_end, end)
    if m:
        pages = re.sub(r"\s*-\s*", "-", " ".join(m.group("pages").split()))
        pages = re.sub(r"\s*,\s*", ", ", pages)
        body_end = m.start()
    rest_start = lead_end
    chapter = None
    chapter_rx = rules.chapters.get(source)
    if chapter_rx is not None:
        probe = rules.noise_lead.match(text, rest_start, body_end)
        probe_start = probe.end() if probe else rest_start
        cm = chapter_rx.match(text, probe_start, body_end)
        if cm:
            chapter = cm.groupdict().get("number") or _clean(cm.group(0), rules)
            rest_start = cm.end()
    sm = rules.section.search(text, rest_start, body_end)
    if sm:
        rest_start = sm.end()
    topic = _clean(text[rest_start:body_end], rules)
    return {"topic": topic, "chapter": chapter, "pages": pages}


def _segments(text: str, start: int, end: int, rules: CitationRules) -> List[Tuple[int, int]]:
    bounds = [(start, start)] + [(m.start(), m.end()) for m in rules.segment.finditer(text, start, end)] + [(end, end)]
    return [(bounds[i][1], bounds[i + 1][0]) for i in range(len(bounds) - 1)]


def _groups(text: str, mentions: Sequence[Mention], rules: CitationRules) -> List[List[Mention]]:
    """Mentions grouped by citation: adjacent ones ("Non-MTUS Citation Official
    Disability Guidelines") name one citation; one joined to the previous by "and"
    starts the next. Any other mention lies inside a topic: it names the source of a
    citation so far named only "Non-MTUS" ("Non-MTUS Citation Neck and Upper Back,
    ODG Preface"), and no source otherwise."""
    groups: List[List[Mention]] = []
    for mention in mentions:
        if groups:
            prev = groups[-1][-1]
            gap = text[prev[1] : mention[0]]
            if not gap.strip() or (prev[2] == NON_MTUS and len(gap.strip()) <= 2):
                groups[-1].append(mention)
                continue
            if not rules.joiner.search(gap):
                if all(m[2] == NON_MTUS for m in groups[-1]) and mention[2] != NON_MTUS:
                    groups[-1].append(mention)
                continue
        groups.append([mention])
    return groups


def _segment_citations(text: str, start: int, end: int, mentions: Sequence[Mention], rules: CitationRules, first: bool) -> List[Dict]:
    groups = _groups(text, mentions, rules)
    if not groups:
        # An outside source the lexicon does not name ("Zofran prescribing information,
        # FDA"), unless it is only a statement, or (after the clause's first segment)
        # more topics of the citation before it ("...; CRPS, sympathetic blocks").
        s, e = _strip(text, start, end)
        if s >= e or rules.statement.match(text, s, e) or not (first or rules.outside_source.search(text, s, e)):
            return []
        return [{"source": NON_MTUS, "start": s, "end": e, **describe(text, s, e, NON_MTUS, s, rules)}]
    citations: List[Dict] = []
    for i, group in enumerate(groups):
        g_start = start if i == 0 else group[0][0]
        if i + 1 == len(groups):
            g_end = end
        else:
            nxt = groups[i + 1][0][0]
            joiner = rules.joiner.search(text, group[-1][1], nxt)
            g_end = joiner.start() if joiner else nxt
        named = [m[2] for m in group if m[2] != NON_MTUS]
        source = named[0] if named else NON_MTUS
        adjacent = [group[0]]
        for m in group[1:]:
            if text[adjacent[-1][1] : m[0]].strip(" ,:"):
                break
            adjacent.append(m)
        for p_start, p_end, p_lead in _chapter_parts(text, g_start, g_end, adjacent[-1][1], source, rules):
            s, e = _strip(text, p_start, p_end)
            citations.append({"source": source, "start": s, "end": e, **describe(text, s, e, source, p_lead, rules)})
    return citations


def parse_citations(text: str, start: int, end: int, mentions: Sequence[Mention], rules: CitationRules) -> List[Dict]:
    """The citations of the guideline paragraph text[start:end], in the order written.

    Each is {"source", "start", "end", "topic", "chapter", "pages"} with offsets into text.
    """
    if rules.no_citation.search(text, start, end) and not rules.clause.search(text, start, end):
        return []
    sources = [m for m in mentions if not rules.not_a_source.search(text, max(start, m[0] - _LOOKBACK), m[0])]
    citations: List[Dict] = []
    for c_start, c_end in _clauses(text, start, end, rules):
        for k, (s_start, s_end) in enumerate(_segments(text, c_start, c_end, rules)):
            inside = [m for m in sources if s_start <= m[0] and m[1] <= s_end]
            citations.extend(_segment_citations(text, s_start, s_end, inside, rules, first=k == 0))
    return citations


def _chapter_parts(text: str, start: int, end: int, lead_end: int, source: str, rules: CitationRules) -> List[Tuple[int, int, int]]:
    """Split a citation naming several chapters ("..., and Shoulder Complaints 2004, Section(s): ...").

    Returns (start, end, lead_end) per chapter; a citation of one chapter is returned whole.
    """
    chapter_rx = rules.chapters.get(source)
    if chapter_rx is None:
        return [(start, end, lead_end)]
    cuts: List[Tuple[int, int]] = []
    for m in _AND.finditer(text, lead_end, end):
        if chapter_rx.match(text, m.end(), end):
            cuts.append((m.start(), m.end()))
    parts: List[Tuple[int, int, int]] = []
    pos, lead = start, lead_end
    for cut_start, cut_end in cuts:
        parts.append((pos, cut_start, lead))
        pos = lead = cut_end
    parts.append((pos, end, lead))
    return parts
