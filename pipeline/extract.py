"""Batch extraction: inputs in, one record (or error row) per input out, in order.

A bad input never stops the batch: it becomes ``{"source": ..., "error": ...}``.
"""
from __future__ import annotations

from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from .errors import Errors
from .io import InputError, read_input

# Letters handed to nlp.pipe at a time; a failing chunk is redone letter by letter.
CHUNK = 256


def error_row(source: str, message: str) -> Dict:
    return {"source": source, "error": message}


def check_record(record: Dict, source: str) -> Optional[str]:
    """Why a processed letter is refused, or None when its record stands."""
    if record["layout"] == "unknown" and not record["items"]:
        return Errors.E106.format(path=source)
    if record["layout"] != "unknown" and not record["items"]:
        return Errors.E110.format(path=source)
    return None


def _record(doc: Doc, source: str) -> Dict:
    doc._.source = source
    record = doc._.record
    problem = check_record(record, source)
    return error_row(source, problem) if problem else record


def _process(nlp: Language, batch: List[Tuple[str, str]], n_process: int) -> List[Dict]:
    texts = [(text, source) for source, text in batch]
    try:
        return [_record(doc, source) for doc, source in nlp.pipe(texts, as_tuples=True, n_process=n_process)]
    except Exception:  # noqa: BLE001 - isolate the letter that failed, keep the rest
        rows = []
        for source, text in batch:
            try:
                rows.append(_record(nlp(text), source))
            except Exception as err:  # noqa: BLE001
                rows.append(error_row(source, f"{source}: the pipeline failed on this letter: {err!r}"))
        return rows


def extract(
    nlp: Language,
    inputs: Iterable[str],
    *,
    n_process: int = 1,
    on_done: Optional[Callable[[int], None]] = None,
) -> Iterator[Dict]:
    """Records of expanded inputs (paths or "-"), in input order."""
    batch: List[Tuple[str, str]] = []
    pending: List[Tuple[int, Dict]] = []  # error rows waiting for their place
    order = 0
    emitted = 0

    def flush() -> Iterator[Dict]:
        nonlocal batch, pending, emitted
        rows = iter(_process(nlp, batch, n_process)) if batch else iter(())
        slots = sorted(pending, key=lambda p: p[0])
        total = len(batch) + len(slots)
        for i in range(total):
            if slots and slots[0][0] == emitted:
                yield slots.pop(0)[1]
            else:
                yield next(rows)
            emitted += 1
            if on_done is not None:
                on_done(1)
        batch, pending = [], []

    for item in inputs:
        try:
            source, text = read_input(item)
            if len(text) > nlp.max_length:
                raise InputError(Errors.E105.format(path=source, length=len(text), limit=nlp.max_length))
            batch.append((source, text))
        except InputError as err:
            pending.append((order, error_row(item, str(err))))
        order += 1
        if len(batch) >= CHUNK:
            yield from flush()
    yield from flush()
