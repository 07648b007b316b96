"""Loading rule data: ruler patterns from JSONL files, checked line by line."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List, Union

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
