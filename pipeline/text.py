"""PDF-noise normalization with an offset map back to the caller's text.

Text extracted from letter PDFs breaks lines mid-sentence, double-spaces every
line, pads redactions with wide runs of blanks, splits pages with form feeds
and mixes curly and straight quotes. ``normalize`` turns it into one clean
string that the tokenizer and the rules see, and records how each piece of the
clean string maps back to the input, so every offset the pipeline reports can
be given in the caller's own text.

Layout of the clean text: a line break inside a paragraph becomes a space,
unless the line ends a sentence or a label (``.:;?!``), is a heading in capitals,
or ends in a hyphen or slash (then the lines join with nothing between). Those
kept breaks are "\\n"; a blank line (two in double-spaced text) becomes "\\n\\n".
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

# One-to-one character substitutions: they keep offsets linear.
_CHAR_MAP = str.maketrans(
    {
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ", "\t": " ",
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2212": "-", "\ufeff": " ", "\u200b": " ",
    }
)
# "\n\f" (pdftotext's page break) is one break, not a line break and a blank line.
_LINE_BREAK = re.compile(r"\r\n|\n?\f|[\n\r\v\x1c-\x1e\x85\u2028\u2029]")
_GAP = re.compile(r"\s{2,}|[^\S ]")
_PAGE_FURNITURE = re.compile(r"^(?:page\s+\d+\s+of\s+\d+|-\s*\d+\s*-)$", re.IGNORECASE)
_TERMINATORS = frozenset(".:;?!")
# A repeated page header is one of the first lines of a page, and not a short one.
_HEADER_LINES = 3
_HEADER_MIN_CHARS = 8
_JOINERS = frozenset("-/")
_HEADING_MIN_CAPS = 3
# Share of lines broken mid-sentence and followed by one blank line that makes a text double-spaced.
_DOUBLE_SPACED_SHARE = 0.3


class Normalized(NamedTuple):
    """Clean text and its map back to the input.

    ``segments`` is a flat sequence ``[norm_start, src_start, norm_len, src_len, ...]``;
    a segment whose two lengths are equal maps character by character.
    """

    text: str
    segments: Tuple[int, ...]
    identity: bool


class _Builder:
    __slots__ = ("parts", "segments", "pos")

    def __init__(self) -> None:
        self.parts: List[str] = []
        self.segments: List[int] = []
        self.pos = 0

    def add(self, piece: str, src_start: int, src_len: int) -> None:
        n = len(piece)
        segs = self.segments
        if n == src_len and segs and segs[-2] == segs[-1]:
            o, s, ln = segs[-4], segs[-3], segs[-2]
            if o + ln == self.pos and s + ln == src_start:
                segs[-2] += n
                segs[-1] += n
                self.parts.append(piece)
                self.pos += n
                return
        segs.extend((self.pos, src_start, n, src_len))
        self.parts.append(piece)
        self.pos += n

    def retract(self) -> bool:
        """Take back the last character if it was copied as it is; True when done."""
        segs = self.segments
        if not segs or segs[-2] != segs[-1] or segs[-2] < 1 or not self.parts[-1]:
            return False
        segs[-2] -= 1
        segs[-1] -= 1
        self.parts[-1] = self.parts[-1][:-1]
        self.pos -= 1
        return True


def _is_heading(line: str) -> bool:
    """A line of two or more words in capitals ("CLINICAL CASE SUMMARY")."""
    if any(c.islower() for c in line) or sum(1 for c in line if c.isupper()) < _HEADING_MIN_CAPS:
        return False
    return sum(1 for w in line.split() if any(c.isalpha() for c in w)) >= 2


def _content_lines(text: str) -> Tuple[List[Tuple[int, int]], List[int]]:
    """(start, end) of each line's content without its outer whitespace.

    (-1, -1) marks a blank line and (-2, -2) page furniture: a page footer
    ("Page 2 of 5"), or a page header repeated at the top of later pages.
    Also returns the index of the first line of each page.
    """
    lines: List[Tuple[int, int]] = []
    page_tops: List[int] = [0]  # index of the first line of each page
    pos = 0
    bounds = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)]
    bounds.append((len(text), len(text)))
    for brk_start, brk_end in bounds:
        raw = text[pos:brk_start]
        stripped = raw.strip()
        if not stripped:
            lines.append((-1, -1))
        elif _PAGE_FURNITURE.match(stripped):
            lines.append((-2, -2))
        else:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            lines.append((start, start + len(stripped)))
        if "\f" in text[brk_start:brk_end]:
            page_tops.append(len(lines))
        pos = brk_end
    if len(page_tops) > 1:
        _drop_repeated_headers(text, lines, page_tops)
    return lines, page_tops


def _drop_repeated_headers(text: str, lines: List[Tuple[int, int]], page_tops: Sequence[int]) -> None:
    """Mark as furniture the lines that open pages with the same words.

    A header opens most pages: at least two, half of them, and either the first
    page too or three pages (an item's "MAXIMUS guideline: ..." line may open
    two pages by chance). The first page keeps its copy: a letter's own header
    is content there.
    """
    tops: List[List[int]] = []
    ends = list(page_tops[1:]) + [len(lines)]
    for top, end in zip(page_tops, ends):
        found = [i for i in range(top, min(top + 8, end)) if lines[i][0] >= 0][:_HEADER_LINES]
        tops.append(found)
    keys = [{" ".join(text[lines[i][0] : lines[i][1]].split()): i for i in found} for found in tops]
    first = keys[0]
    later: Dict[str, int] = {}
    for page in keys[1:]:
        for key in page:
            later[key] = later.get(key, 0) + 1
    needed = max(2, (len(keys) - 1 + 1) // 2)
    for page in keys[1:]:
        for key, i in page.items():
            count = later[key] + (key in first)
            if len(key) >= _HEADER_MIN_CHARS and count >= needed and (key in first or later[key] >= 3):
                lines[i] = (-2, -2)


def _is_double_spaced(text: str, lines: Sequence[Tuple[int, int]]) -> bool:
    """True when lines broken mid-sentence are followed by one blank line (seed-style PDF text).

    Only lines that end inside a sentence count, and such text separates its
    paragraphs by two or more blank lines. Normalized text never has two blank
    lines in a row, so normalizing twice changes nothing.
    """
    content = 0
    single = 0
    n = len(lines)
    if not any(lines[i][0] == -1 and lines[i + 1][0] == -1 for i in range(n - 1)):
        return False
    for i, (start, end) in enumerate(lines):
        if start < 0:
            continue
        content += 1
        if i + 2 < n and lines[i + 1][0] == -1 and lines[i + 2][0] >= 0 and text[end - 1] not in _TERMINATORS:
            single += 1
    return content >= 4 and single >= _DOUBLE_SPACED_SHARE * content


def _separator(prev: str, line: str, blanks: int, double_spaced: bool) -> str:
    if double_spaced:
        blanks = blanks - 1 if blanks else 0
    if blanks > 0:
        return "\n\n"
    last = prev[-1]
    if last in _JOINERS:
        return ""
    if last in _TERMINATORS or _is_heading(prev) or _is_heading(line):
        return "\n"
    return " "


_WORD = re.compile(r"[a-z]+")
_LAST_WORD = re.compile(r"([A-Za-z]+)-$")


def _soft_hyphen(prev: str, line: str, words: "_Words") -> bool:
    """True when "treat-" + "ment" is one word broken at a line end.

    The letter itself decides: the hyphen goes when the joined word occurs
    elsewhere in the text, and stays otherwise ("follow-" + "up", "1-" + "2").
    """
    a = _LAST_WORD.search(prev)
    b = _WORD.match(line)
    return bool(a and b) and (a.group(1) + b.group(0)).lower() in words.get()


class _Words:
    """The lower-case words of a text, collected when first needed."""

    __slots__ = ("text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words: Optional[frozenset] = None

    def get(self) -> frozenset:
        if self.words is None:
            self.words = frozenset(_WORD.findall(self.text.lower()))
        return self.words


def normalize(text: str) -> Normalized:
    """Clean PDF-extracted letter text, keeping a map back to ``text``."""
    lines, page_tops = _content_lines(text)
    tops = set(page_tops[1:])
    double_spaced = _is_double_spaced(text, lines)
    out = _Builder()
    prev: Optional[str] = None
    prev_end = 0
    blanks = 0
    words = _Words(text)
    page_top = False
    for index, (start, end) in enumerate(lines):
        if index in tops:
            page_top = True  # blank lines at the top of a page are page layout
        if start == -1:
            blanks += 0 if page_top else 1
            continue
        if start == -2:  # page footer or header: dropped, not a paragraph break
            continue
        page_top = False
        line = text[start:end].translate(_CHAR_MAP)
        if prev is not None:
            sep = _separator(prev, line, blanks, double_spaced)
            if sep == "" and prev.endswith("-") and _soft_hyphen(prev, line, words) and out.retract():
                out.add("", prev_end - 1, start - prev_end + 1)  # the hyphen and the break
            else:
                out.add(sep, prev_end, start - prev_end)
        pos = 0
        for gap in _GAP.finditer(line):
            if gap.start() > pos:
                out.add(line[pos:gap.start()], start + pos, gap.start() - pos)
            out.add(" ", start + gap.start(), gap.end() - gap.start())
            pos = gap.end()
        if pos < len(line):
            out.add(line[pos:], start + pos, len(line) - pos)
        prev, prev_end, blanks = line, end, 0
    clean = "".join(out.parts)
    segs = tuple(out.segments)
    identity = clean == text
    return Normalized(clean, segs, identity)


class OffsetMap:
    """Maps character offsets in normalized text back to the source text."""

    __slots__ = ("_starts", "_segs", "_src_len", "_src_starts")

    def __init__(self, segments: Optional[Sequence[int]], src_len: Optional[int] = None) -> None:
        self._segs = list(segments or ())
        self._starts = self._segs[0::4]
        self._src_starts = self._segs[1::4]
        self._src_len = src_len

    def _seg(self, pos: int) -> Tuple[int, int, int, int]:
        i = max(bisect_right(self._starts, pos) - 1, 0)
        j = 4 * i
        s = self._segs
        return s[j], s[j + 1], s[j + 2], s[j + 3]

    def start(self, pos: int) -> int:
        if not self._segs:
            return pos
        o, s, ol, sl = self._seg(pos)
        if ol == sl:
            return s + min(pos - o, sl)
        return s

    def end(self, pos: int) -> int:
        if not self._segs:
            return pos
        if pos <= 0:
            return self.start(0)
        o, s, ol, sl = self._seg(pos - 1)
        if ol == sl:
            return s + min(pos - o, sl)
        return s + sl

    def _normalized(self, src_pos: int, is_end: bool) -> int:
        if not self._segs:
            return src_pos
        probe = src_pos - 1 if is_end and src_pos > 0 else src_pos
        i = max(bisect_right(self._src_starts, probe) - 1, 0)
        o, s, ol, sl = self._segs[4 * i : 4 * i + 4]
        if ol == sl:
            return o + max(0, min(src_pos - s, ol))
        return o + ol if is_end else o

    def to_normalized(self, src_pos: int) -> int:
        """The normalized offset of a source offset (a replaced run maps to its start)."""
        return self._normalized(src_pos, False)

    def normalized_span(self, start: int, end: int) -> Tuple[int, int]:
        """Normalized (start, end) of the source span [start, end)."""
        n_start = self._normalized(start, False)
        return n_start, max(self._normalized(end, True), n_start)

    def span(self, start: int, end: int) -> Tuple[int, int]:
        """Source (start, end) of the normalized span [start, end)."""
        src_start = self.start(start)
        return src_start, max(self.end(end), src_start)
