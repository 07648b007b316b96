"""Every custom ``Doc`` and ``Span`` attribute, declared once.

Values are plain data (strings, ints, lists and dicts of them) so docs survive
``Doc.to_bytes``, ``DocBin`` and ``nlp.pipe(n_process=...)`` unchanged.
"""
import weakref

from spacy.tokens import Doc, Span


# doc.text is rebuilt from the tokens on every access, which costs more than any
# rule here; the tokenizer keeps the text it was given, beside the doc rather than
# in it, so serialized docs (DocBin, n_process) do not carry it twice.
_TEXTS: "weakref.WeakKeyDictionary[Doc, str]" = weakref.WeakKeyDictionary()


def keep_text(doc: Doc, text: str) -> None:
    """Remember ``text`` as the doc's text (the tokenizer calls this)."""
    _TEXTS[doc] = text


def text_of(doc: Doc) -> str:
    """The doc's text, kept from tokenization (computed and kept on first use otherwise)."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


def _record_getter(doc: Doc) -> dict:
    from .record import build_record

    return build_record(doc)


def register() -> None:
    """Declare the extensions (idempotent)."""
    doc_attrs = {
        # Where the letter came from: a path, "<stdin>" or None for a Python string.
        "source": None,
        # The PDF text extractor that made the text, None for text input.
        "extractor": None,
        # Offsets in the caller's text where each page starts (after each form feed).
        "page_starts": None,
        # Flat [norm_start, src_start, norm_len, src_len, ...] segments, see text.py.
        "source_map": None,
        "layout": "unknown",
        # Header and narrative facts: {"case": {...}, "patient": {...}, "reviewer": {...}}.
        "facts": None,
        # Disputed items as plain dicts with offsets in doc.text, see relations.py.
        "items": None,
        "warnings": None,
    }
    for name, default in doc_attrs.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    if not Doc.has_extension("record"):
        Doc.set_extension("record", getter=_record_getter)
    if not Span.has_extension("norm"):
        Span.set_extension("norm", default=None)
    # For a DRUG: {"drugbank": [...], "mesh": [...]}, one id (or None) per ingredient.
    if not Span.has_extension("ids"):
        Span.set_extension("ids", default=None)
    # For a DRUG read by its spelling: the lexicon name it matched.
    if not Span.has_extension("fuzzy"):
        Span.set_extension("fuzzy", default=None)


register()
