"""The tokenizer: unidic-lite through fugashi, with exact offsets."""

from __future__ import annotations

import fugashi
import unidic_lite

from sasaeai.core.mecab import tagger
from sasaeai.plainlang.engine.tokenizer import Token, Tokens, tokenize


def test_uses_the_unidic_lite_dictionary_that_fugashi_finds_by_itself() -> None:
    fugashi_default = fugashi.Tagger().dictionary_info[0]["filename"]
    assert fugashi_default.startswith(unidic_lite.DICDIR)
    assert tagger().dictionary_file == fugashi_default


def test_tagger_is_created_once() -> None:
    assert tagger() is tagger()


def test_fields_of_each_token() -> None:
    assert tokenize("東京のアウトリーチを行う") == [
        Token(0, "東京", "名詞", "固有名詞", "地名", "固"),
        Token(2, "の", "助詞", "格助詞", "", "和"),
        Token(3, "アウトリーチ", "名詞", "普通名詞", "一般", "外"),
        Token(9, "を", "助詞", "格助詞", "", "和"),
        Token(10, "行う", "動詞", "一般", "", "和"),
    ]


def test_unknown_words_have_no_word_origin() -> None:
    [token] = tokenize("ICT")
    assert (token.surface, token.pos1, token.goshu) == ("ICT", "名詞", "")


def test_offsets_skip_the_blanks_mecab_drops() -> None:
    text = "  本市 \t では\0X"
    tokens = Tokens()
    tokens.add(text)
    assert [(t.start, t.surface) for t in tokens] == [
        (2, "本"),
        (3, "市"),
        (7, "で"),
        (8, "は"),
        (10, "X"),
    ]
    assert all(text[t.start : t.end] == t.surface for t in tokens)


def test_a_span_of_a_longer_text_keeps_offsets_into_that_text() -> None:
    tokens = Tokens()
    tokens.add("一行目\n二行目", 4)
    assert [(t.start, t.surface) for t in tokens] == [(4, "二"), (5, "行"), (6, "目")]


def test_indices_of_tokens_overlapping_a_span() -> None:
    tokens = Tokens()
    tokens.add("東京のアウトリーチを行う")
    assert list(tokens.indices(3, 9)) == [2]
    assert list(tokens.indices(1, 4)) == [0, 1, 2]
    assert list(tokens.indices(12, 12)) == []
