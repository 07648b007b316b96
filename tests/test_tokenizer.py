"""The letter tokenizer: normalization, stock tokens, a warm cache, serialization."""
import pickle

import spacy

from pipeline.text import normalize
from pipeline.tokenizer import EXTRA_INFIXES, EXTRA_PREFIXES, EXTRA_SUFFIXES, create_letter_tokenizer


def _stock(nlp):
    """spaCy's English tokenizer with the project's extra affix rules, without the wrapper."""
    tok = spacy.blank("en").tokenizer
    tok.infix_finditer = spacy.util.compile_infix_regex(list(nlp.Defaults.infixes) + list(EXTRA_INFIXES)).finditer
    tok.suffix_search = spacy.util.compile_suffix_regex(list(nlp.Defaults.suffixes) + list(EXTRA_SUFFIXES)).search
    tok.prefix_search = spacy.util.compile_prefix_regex(list(nlp.Defaults.prefixes) + list(EXTRA_PREFIXES)).search
    return tok


def test_tokens_are_the_stock_tokens_of_the_clean_text(blank, seed_texts, header_letter):
    letter_tok = create_letter_tokenizer()(blank)
    stock = _stock(blank)
    for text in [*seed_texts.values(), header_letter]:
        clean = normalize(text).text
        # twice: the second pass runs from the warmed cache
        for _ in range(2):
            assert [t.text for t in letter_tok(text)] == [t.text for t in stock(clean)]


def test_doc_keeps_the_offset_map(blank, seed_texts):
    tok = create_letter_tokenizer()(blank)
    doc = tok(seed_texts["001_722e60520c9ccd5f"])
    assert doc._.source_map and len(doc._.source_map) % 4 == 0
    assert tok("Norco 10/325mg #60")._.source_map is None


def test_percent_infix_splits_compounded_ingredients(blank):
    tok = create_letter_tokenizer()(blank)
    assert [t.text for t in tok("Flurbiprofen 20%/Lidocaine 5%")] == ["Flurbiprofen", "20", "%", "/", "Lidocaine", "5", "%"]


def test_numbers_are_split_from_their_units(blank):
    tok = create_letter_tokenizer()(blank)
    assert [t.text for t in tok("Butrans 10mcg/hr, 106.32gm, 2x6, 2x/week")] == [
        "Butrans", "10", "mcg", "/", "hr", ",", "106.32", "gm", ",", "2", "x", "6", ",", "2", "x", "/", "week",
    ]


def test_round_trip_bytes_and_disk(blank, tmp_path, header_letter):
    tok = create_letter_tokenizer()(blank)
    expected = [t.text for t in tok(header_letter)]
    fresh = create_letter_tokenizer()(spacy.blank("en"))
    fresh.from_bytes(tok.to_bytes())
    assert [t.text for t in fresh(header_letter)] == expected
    tok.to_disk(tmp_path / "tok")
    other = create_letter_tokenizer()(spacy.blank("en")).from_disk(tmp_path / "tok")
    assert [t.text for t in other(header_letter)] == expected


def test_pickled_copy_starts_with_no_record_of_cached_chunks(blank, header_letter):
    tok = create_letter_tokenizer()(blank)
    tok(header_letter)
    assert tok._seen
    copy = pickle.loads(pickle.dumps(tok))
    assert copy._seen == set()
    assert [t.text for t in copy(header_letter)] == [t.text for t in tok(header_letter)]
