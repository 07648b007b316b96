"""Every component factory of the project, in one place.

Each factory is reachable through the ``spacy_factories`` entry point in
pyproject.toml, so ``spacy.load(path)`` finds them in a fresh process.
"""
from __future__ import annotations

from typing import List

from spacy.language import Language

from . import extensions  # noqa: F401  (attributes named in 'assigns' must exist)
from .entity_norms import EntityNormalizer
from .facts import CaseFacts
from .fuzzy_drugs import FuzzyDrugs
from .regex_ruler import RegexRuler
from .relations import ItemLinker
from .sections import SectionDetector
from .treatment_modifiers import TreatmentModifiers


@Language.factory(
    "imr_sections",
    default_config={"spans_key": "sections"},
    assigns=["doc._.layout", "doc.spans"],
)
def make_sections(nlp: Language, name: str, *, spans_key: str) -> SectionDetector:
    """Layout and sections (data: patterns/layouts.json, given at initialize)."""
    return SectionDetector(nlp, name, spans_key=spans_key)


@Language.factory(
    "imr_regex_ruler",
    default_config={},
    assigns=["doc.ents", "span._.norm"],
)
def make_regex_ruler(nlp: Language, name: str) -> RegexRuler:
    """Entities defined by their shape (data: patterns/regex/*.jsonl, given at initialize)."""
    return RegexRuler(nlp, name)


@Language.factory(
    "imr_fuzzy_drugs",
    default_config={"min_length": 5, "min_score": 85.0, "window": 2, "check_unlisted": True},
    assigns=["doc.ents", "span._.norm", "span._.fuzzy"],
    requires=["doc.ents"],
)
def make_fuzzy_drugs(
    nlp: Language, name: str, *, min_length: int, min_score: float, window: int, check_unlisted: bool
) -> FuzzyDrugs:
    """Misspelled drug names before a strength or quantity (data: the drug lexicon); drugs a
    trained recognizer proposes are kept only when the lexicon knows their spelling."""
    return FuzzyDrugs(
        nlp, name, min_length=min_length, min_score=min_score, window=window, check_unlisted=check_unlisted
    )


@Language.factory(
    "imr_treatment_modifiers",
    default_config={"label": "TREATMENT"},
    assigns=["doc.ents"],
    requires=["doc.ents"],
)
def make_treatment_modifiers(nlp: Language, name: str, *, label: str) -> TreatmentModifiers:
    """Treatment spans widened over the site, technique, type and timing words before their
    head (data: patterns/treatment_modifiers.json, given at initialize)."""
    return TreatmentModifiers(nlp, name, label=label)


@Language.factory(
    "imr_normalizer",
    default_config={
        "combine_labels": ["DRUG"],
        "joiners": ["/", "-", "+"],
        "count_nouns": ["session", "sessions", "visit", "visits", "treatment", "treatments", "appointment", "appointments",
                        "injection", "injections", "block", "blocks", "class", "classes"],
        "count_fillers": ["more", "further", "additional", "new", "other", "remaining", "prior", "previous", "supervised"],
        "count_generic_heads": ["therapy"],
        "percent_anchors": ["DRUG", "STRENGTH"],
        "percent_forms": ["cream", "creams", "gel", "patch", "patches", "ointment", "lotion", "solution", "spray",
                          "compound", "topical", "transdermal", "liniment", "film", "formulation", "formulations", "concentration"],
        "percent_window": 4,
        "release_suffixes": ["ER", "XR", "XL", "SR", "CR", "DR", "IR", "ODT", "LA", "CD", "EC", "DS", "er", "xr", "xl", "sr", "cr", "odt"],
    },
    assigns=["doc.ents", "span._.norm", "span._.ids"],
    requires=["doc.ents"],
)
def make_normalizer(
    nlp: Language,
    name: str,
    *,
    combine_labels: List[str],
    joiners: List[str],
    count_nouns: List[str],
    count_fillers: List[str],
    count_generic_heads: List[str],
    percent_anchors: List[str],
    percent_forms: List[str],
    percent_window: int,
    release_suffixes: List[str],
) -> EntityNormalizer:
    """Canonical values of entities in span._.norm; combination drug names merged and extended
    over release suffixes ("Bupropion XL"); counts before
    treatments; percentages that are no drug's strength dropped."""
    return EntityNormalizer(
        nlp,
        name,
        combine_labels=combine_labels,
        joiners=joiners,
        count_nouns=count_nouns,
        count_fillers=count_fillers,
        count_generic_heads=count_generic_heads,
        percent_anchors=percent_anchors,
        percent_forms=percent_forms,
        percent_window=percent_window,
        release_suffixes=release_suffixes,
    )


@Language.factory(
    "imr_case_facts",
    default_config={"spans_key": "sections"},
    assigns=["doc._.facts"],
    requires=["doc.ents", "doc.spans"],
)
def make_case_facts(nlp: Language, name: str, *, spans_key: str) -> CaseFacts:
    """Case dates, patient and reviewer (data: patterns/case_facts.json)."""
    return CaseFacts(nlp, name, spans_key=spans_key)


@Language.factory(
    "imr_items",
    default_config={"spans_key": "sections"},
    assigns=["doc._.items", "doc._.warnings"],
    requires=["doc.ents", "doc.spans", "doc._.layout"],
)
def make_items(nlp: Language, name: str, *, spans_key: str) -> ItemLinker:
    """Disputed items and their links (data: patterns/items.json)."""
    return ItemLinker(nlp, name, spans_key=spans_key)
