"""Where the project's data folders (patterns/, configs/) are.

In a source checkout they are at the top of the repository; an installed wheel
carries them as ``pipeline/data/patterns`` and ``pipeline/data/configs``.
"""
from __future__ import annotations

from pathlib import Path

from .errors import Errors

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder holding the project's ``name`` data ("patterns" or "configs")."""
    tried = [_PACKAGE / "data" / name, _PACKAGE.parent / name]
    for candidate in tried:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(Errors.E304.format(name=name, tried=", ".join(map(str, tried))))
