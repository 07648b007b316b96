"""IMR determination letters to structured records, with spaCy.

    import pipeline
    nlp = pipeline.load()
    doc = nlp(text)
    doc._.record          # the letter's record (schema version 1)
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from .about import __version__
from .io import read_document, read_letter

__all__ = ["__version__", "load", "read_document", "read_letter"]


def load(
    model: Optional[Union[str, Path]] = None,
    *,
    config: Optional[Union[str, Path]] = None,
    patterns: Optional[Union[str, Path]] = None,
):
    """The ready pipeline.

    With ``model``, a saved pipeline (``spacy.load``); otherwise the rules pipeline
    assembled from ``configs/rules.cfg`` (or ``config``) and the patterns/ data
    (or the folder ``patterns``).
    """
    import spacy
    from spacy import util

    from . import factories  # noqa: F401  (also reachable through entry points)
    from .resources import data_dir

    if model is not None:
        return spacy.load(model)
    config_path = Path(config) if config is not None else data_dir("configs") / "rules.cfg"
    patterns_dir = Path(patterns) if patterns is not None else data_dir("patterns")
    cfg = util.load_config(config_path, overrides={"paths.patterns": str(patterns_dir)}, interpolate=False)
    nlp = util.load_model_from_config(cfg, auto_fill=True, validate=True)
    nlp.initialize()
    return nlp
