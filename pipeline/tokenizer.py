"""The letter tokenizer: normalization plus spaCy's own English tokenizer.

``LetterTokenizer`` cleans PDF noise (see ``text.py``), keeps the offset map on
``doc._.source_map`` and hands the clean text to the stock tokenizer, so tokens
are exactly those spaCy would make of the clean text.

It also works around spaCy issue #13950: within one text, once a chunk hits a
tokenizer special case, no later chunk is cached, so most words of a letter take
the slow affix path on every letter. Tokenizing each not-yet-seen chunk on its
own first fills the cache; the full text then hits it. Tokens are unchanged
(the cache stores the same lexemes the slow path makes).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator, Set, Union

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

from .extensions import keep_text
from .text import normalize

# Enough for the vocabulary of many thousand letters; each entry is a few dozen bytes.
CACHE_SIZE = 200_000
# Letters write strengths and counts run together ("10mcg/hr", "106.32gm", "2x6",
# "2x/week", "Flurbiprofen 20%/Lidocaine 5%"). These rules split numbers from
# their units so the ruler's patterns can start on a plain number token; spaCy's
# English rules already do this for "mg", "g" and "%".
_UNIT = r"(?:[mM][cC][gG][sS]?|[mM][gG][sS]?|[gG][mM][sS]?|[gG][rR][aA][mM][sS]?|[mM][lL][sS]?|[cC][cC]|[iI][uU])"
EXTRA_SUFFIXES = (rf"(?<=[0-9]){_UNIT}", r"(?<=[0-9])[xX]")
EXTRA_PREFIXES = (r"[xX](?=[0-9])",)  # "x2", "x12"
EXTRA_INFIXES = (
    rf"(?<=[0-9])(?=(?:{_UNIT}|[xX]|%)[/\-])",  # zero width: "10|mcg/hr", "2|x/week", "20|%/Lidocaine"
    r"(?<=%)[/\-](?=[A-Za-z0-9.])",  # "20%|/|Lidocaine", "4%|-|27.5%"
    r"(?<=[0-9])[xX](?=[0-9])",  # "2|x|6"
)


class LetterTokenizer:
    """Normalize a letter's text, then tokenize it with a warm-cached stock tokenizer."""

    def __init__(self, tokenizer: Tokenizer, *, cache_size: int = CACHE_SIZE) -> None:
        self.tokenizer = tokenizer
        self.tokenizer.max_cache_size = cache_size
        self.cache_size = cache_size
        self._seen: Set[str] = set()

    @property
    def vocab(self):
        return self.tokenizer.vocab

    def __call__(self, text: str) -> Doc:
        norm = normalize(text)
        self._warm(norm.text)
        doc = self.tokenizer(norm.text)
        keep_text(doc, norm.text)
        if not norm.identity:
            doc._.source_map = list(norm.segments)
        if "\f" in text:
            doc._.page_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\f"]
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def _warm(self, text: str) -> None:
        seen = self._seen
        # Inside a memory zone spaCy caches nothing, so there is nothing to warm.
        if len(seen) >= self.cache_size or getattr(self.vocab, "in_memory_zone", False):
            return
        new = set(text.split())
        new.difference_update(seen)
        if new:
            tokenize = self.tokenizer
            for chunk in new:
                tokenize(chunk)
            seen.update(new)

    def __reduce__(self):
        # A copy in another process starts with an empty cache, so it must not
        # inherit the record of which chunks were cached here.
        return (self.__class__, (self.tokenizer,), {"cache_size": self.cache_size})

    def __setstate__(self, state: dict) -> None:
        self.cache_size = state["cache_size"]
        self.tokenizer.max_cache_size = self.cache_size
        self._seen = set()

    # Serialization delegates to the stock tokenizer, whose rules it owns.
    def to_bytes(self, **kwargs) -> bytes:
        return self.tokenizer.to_bytes(**kwargs)

    def from_bytes(self, bytes_data: bytes, **kwargs) -> "LetterTokenizer":
        self.tokenizer.from_bytes(bytes_data, **kwargs)
        self._reset()
        return self

    def to_disk(self, path: Union[str, Path], **kwargs) -> None:
        self.tokenizer.to_disk(path, **kwargs)

    def from_disk(self, path: Union[str, Path], **kwargs) -> "LetterTokenizer":
        self.tokenizer.from_disk(path, **kwargs)
        self._reset()
        return self

    def _reset(self) -> None:
        self.tokenizer.max_cache_size = self.cache_size
        self._seen = set()


@registry.tokenizers("imr.LetterTokenizer.v1")
def create_letter_tokenizer(cache_size: int = CACHE_SIZE) -> Callable[[Language], LetterTokenizer]:
    """Registered tokenizer: the language's default tokenizer behind letter normalization."""

    def make(nlp: Language) -> LetterTokenizer:
        base = registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        base.infix_finditer = compile_infix_regex(list(nlp.Defaults.infixes or ()) + list(EXTRA_INFIXES)).finditer
        base.suffix_search = compile_suffix_regex(list(nlp.Defaults.suffixes or ()) + list(EXTRA_SUFFIXES)).search
        base.prefix_search = compile_prefix_regex(list(nlp.Defaults.prefixes or ()) + list(EXTRA_PREFIXES)).search
        return LetterTokenizer(base, cache_size=cache_size)

    return make
