"""Batch extraction: inputs in, one record (or error row) per input out, in input order.

A bad input never stops the batch: it becomes ``{"source": ..., "error": ...}``.
With ``n_process > 1`` whole letters go to worker processes, which read,
process and build the record, and send back only the record: sending spaCy
``Doc`` objects between processes (what ``nlp.pipe(n_process=...)`` does) costs
about as much as processing a letter.
"""
from __future__ import annotations

import multiprocessing as mp
from typing import Callable, Dict, Iterable, Iterator, Optional, Tuple, Union

from spacy.language import Language

from .errors import Errors
from .io import STDIN, InputError, Letter, read_input

# An input is a path, a Letter (or (source, text) pair) already read, or the
# error row of standard input that could not be read.
Input = Union[str, Tuple[str, str], Letter, Dict]
_WORKER_NLP: Optional[Language] = None


def error_row(source: str, message: str) -> Dict:
    return {"source": source, "error": message}


def check_record(record: Dict, source: str) -> Optional[str]:
    """Why a processed letter is refused, or None when its record stands."""
    if record["layout"] == "unknown" and not record["items"]:
        return Errors.E106.format(path=source)
    if record["layout"] != "unknown" and not record["items"]:
        return Errors.E110.format(path=source)
    return None


def process_text(nlp: Language, source: str, text: str, extractor: Optional[str] = None) -> Dict:
    """The record of one letter's text, or its error row."""
    if len(text) > nlp.max_length:
        return error_row(source, Errors.E105.format(path=source, length=len(text), limit=nlp.max_length))
    try:
        doc = nlp(text)
        doc._.source = source
        doc._.extractor = extractor
        record = doc._.record
    except Exception as err:  # noqa: BLE001 - one letter's failure must not end the batch
        return error_row(source, f"{source}: the pipeline failed on this letter: {err!r}")
    problem = check_record(record, source)
    return error_row(source, problem) if problem else record


def process_input(nlp: Language, item: Input) -> Dict:
    """Read one input and process it."""
    if isinstance(item, dict):
        return item
    try:
        letter = Letter(*item) if isinstance(item, tuple) else read_input(item)
    except InputError as err:
        return error_row(item if isinstance(item, str) else item[0], str(err))
    return process_text(nlp, letter.source, letter.text, letter.extractor)


def _init_worker(model: Optional[str]) -> None:
    global _WORKER_NLP
    if _WORKER_NLP is None:  # spawned rather than forked: load the pipeline here
        from . import load

        _WORKER_NLP = load(model)


def _work(item: Input) -> Dict:
    assert _WORKER_NLP is not None
    return process_input(_WORKER_NLP, item)


def _read_stdin(items: Iterable[Input]) -> Iterator[Input]:
    """Inputs with standard input read here: worker processes cannot read it."""
    for item in items:
        if item != "-":
            yield item
            continue
        try:
            yield read_input(item)
        except InputError as err:
            yield error_row(STDIN, str(err))


def extract(
    nlp: Language,
    inputs: Iterable[Input],
    *,
    n_process: int = 1,
    model: Optional[str] = None,
    on_done: Optional[Callable[[int], None]] = None,
) -> Iterator[Dict]:
    """Records of expanded inputs (paths, "-", or (source, text) pairs), in input order.

    ``model`` names the saved pipeline ``nlp`` came from, for worker processes
    that cannot inherit it (platforms that spawn rather than fork).
    """
    items = list(_read_stdin(inputs))
    if n_process <= 1 or len(items) <= 1:
        for item in items:
            yield process_input(nlp, item)
            if on_done is not None:
                on_done(1)
        return
    global _WORKER_NLP
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    _WORKER_NLP = nlp if method == "fork" else None
    try:
        with mp.get_context(method).Pool(n_process, initializer=_init_worker, initargs=(model,)) as pool:
            for row in pool.imap(_work, items, chunksize=4):
                yield row
                if on_done is not None:
                    on_done(1)
    finally:
        _WORKER_NLP = None
