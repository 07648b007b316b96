"""Layout and section detection.

The layouts, their markers and their section headings are data (patterns/
layouts.json), given to the component through ``initialize`` and saved with
the pipeline. The component sets ``doc._.layout`` and puts one span per
section, labelled with the section name, into ``doc.spans["sections"]``.
A section runs from its heading to the next heading; text before the first
heading is the ``header`` section.
"""
from __future__ import annotations

import re
from typing import Dict, List, NamedTuple, Optional, Pattern, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from .extensions import text_of
from .errors import Errors
from .serialize import JsonDataMixin

UNKNOWN = "unknown"


class Layout(NamedTuple):
    name: str
    markers: Tuple[Pattern, ...]


class CompiledLayouts(NamedTuple):
    headings: Pattern  # one alternation, a named group per section
    layouts: Tuple[Layout, ...]


def compile_layouts(data: Dict) -> CompiledLayouts:
    """Check and compile the layout definitions of patterns/layouts.json."""
    try:
        sections = data["sections"]
        # A heading starts a line; the group holds the heading itself.
        groups = [f"(?m:^[ \\t]*)(?P<{name}>{regex})" for name, regex in sections.items()]
        headings = re.compile("|".join(groups))
        layouts = tuple(
            Layout(entry["name"], tuple(re.compile(m) for m in entry["markers"]))
            for entry in data["layouts"]
        )
    except (KeyError, TypeError) as err:
        raise ValueError(Errors.E303.format(reason=f"missing or wrong key {err}")) from err
    except re.error as err:
        raise ValueError(Errors.E303.format(reason=f"bad regular expression: {err}")) from err
    return CompiledLayouts(headings, layouts)


def detect_layout(text: str, compiled: CompiledLayouts) -> Layout:
    """The first layout whose markers are all in the text, else an 'unknown' layout."""
    for layout in compiled.layouts:
        if all(marker.search(text) for marker in layout.markers):
            return layout
    return Layout(UNKNOWN, ())


def find_sections(text: str, compiled: CompiledLayouts) -> List[Tuple[str, int, int]]:
    """(label, start, end) of each section; a repeated heading continues its section."""
    found: List[Tuple[str, int]] = []
    seen = set()
    for m in compiled.headings.finditer(text):
        label = m.lastgroup
        if label in seen:
            continue
        seen.add(label)
        found.append((label, m.start(label)))
    sections: List[Tuple[str, int, int]] = []
    first = found[0][1] if found else len(text)
    if text[:first].strip():
        sections.append(("header", 0, first))
    for i, (label, start) in enumerate(found):
        end = found[i + 1][1] if i + 1 < len(found) else len(text)
        sections.append((label, start, end))
    return sections


class SectionDetector(JsonDataMixin):
    """Sets ``doc._.layout`` and ``doc.spans[spans_key]`` from the layout definitions."""

    data_filename = "layouts.json"

    def __init__(self, nlp: Language, name: str = "imr_sections", *, spans_key: str = "sections") -> None:
        self.name = name
        self.spans_key = spans_key
        self.data: Optional[Dict] = None
        self._compiled: Optional[CompiledLayouts] = None

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None, layouts: Optional[Dict] = None) -> None:
        """Load the layout definitions (patterns/layouts.json)."""
        if layouts is not None:
            self.set_data(layouts)

    def set_data(self, data: Dict) -> None:
        self._compiled = compile_layouts(data)
        self.data = data

    @property
    def compiled(self) -> CompiledLayouts:
        if self._compiled is None:
            raise ValueError(Errors.E301.format(name=self.name))
        return self._compiled

    def __call__(self, doc: Doc) -> Doc:
        compiled = self.compiled
        text = text_of(doc)
        doc._.layout = detect_layout(text, compiled).name
        spans = []
        for label, start, end in find_sections(text, compiled):
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None and len(span):
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc
