"""Loading rule data: ruler patterns from JSONL files, checked line by line, and the
plural forms of phrase patterns."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Union

import srsly
from spacy.util import registry

from .errors import Errors


def read_pattern_file(path: Union[str, Path]) -> List[Dict]:
    """The patterns of one JSONL file, each checked for 'label' and 'pattern'."""
    patterns: List[Dict] = []
    for i, line in enumerate(srsly.read_jsonl(path), start=1):
        if not isinstance(line, dict):
            raise ValueError(Errors.E302.format(path=path, line=i, reason="not a JSON object"))
        missing = [key for key in ("label", "pattern") if key not in line]
        if missing:
            reason = f"missing {', '.join(missing)}"
            raise ValueError(Errors.E302.format(path=path, line=i, reason=reason))
        patterns.append(line)
    return patterns


@registry.misc("imr.read_patterns.v1")
def read_patterns(paths: Iterable[str]) -> List[Dict]:
    """Registered reader: the patterns of several JSONL files, in order."""
    patterns: List[Dict] = []
    for path in paths:
        patterns.extend(read_pattern_file(path))
    return patterns


_CONSONANT_Y = re.compile(r"[^aeiou]y$")


def plural(word: str) -> Optional[str]:
    """The regular English plural of a lower-case noun ("walker" -> "walkers", "orthosis" ->
    "orthoses", "study" -> "studies", "esi" -> "esis"), or None for a word that is no plain
    noun (digits, punctuation) or already a plural ("braces", "orthotics": a final single
    "s"). Irregular plurals are listed in the pattern files."""
    if not word.isalpha():
        return None
    if word.endswith("sis"):
        return word[:-3] + "ses"
    if word.endswith("s") and not word.endswith("ss"):
        return None
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if _CONSONANT_Y.search(word):
        return word[:-1] + "ies"
    return word + "s"


@registry.misc("imr.with_plurals.v1")
def with_plurals(patterns: List[Dict], labels: List[str]) -> List[Dict]:
    """Phrase patterns of ``labels`` plus, for each, the pattern with its last word in the
    plural ("walker" -> "walkers", "trigger point injection" -> "trigger point injections"),
    with the same label and id; a form that some pattern already has is not added."""
    wanted = set(labels)
    taken = {p["pattern"].lower() for p in patterns if isinstance(p["pattern"], str)}
    out = list(patterns)
    for pattern in patterns:
        text = pattern["pattern"]
        if pattern["label"] not in wanted or not isinstance(text, str):
            continue
        head, _, last = text.lower().rpartition(" ")
        many = plural(last)
        if many is None:
            continue
        form = f"{head} {many}" if head else many
        if form not in taken:
            taken.add(form)
            out.append({**pattern, "pattern": form})
    return out
