"""The built-in word lists and phrase data are well formed."""

from __future__ import annotations

import re

import pytest

from sasaeai.plainlang.engine.lexicon import (
    LATIN_WORD,
    builtin_abbreviations,
    builtin_allowlist,
    builtin_expressions,
    builtin_loanwords,
    phrase_data,
)
from sasaeai.plainlang.engine.rules.loanword import TERM
from sasaeai.plainlang.engine.text import lookup_key

KATAKANA_ONLY = re.compile(r"[ァ-ヴー・]+")


def test_hard_loanword_list_is_large_and_every_entry_is_a_katakana_term() -> None:
    words = builtin_loanwords()
    assert len(words) >= 120
    for term, paraphrase in words.items():
        assert TERM.fullmatch(term), term
        assert paraphrase.strip() and not KATAKANA_ONLY.fullmatch(paraphrase), term


def test_allowlist_has_hundreds_of_katakana_words_and_some_abbreviations() -> None:
    words = builtin_allowlist()
    katakana = {word for word in words if KATAKANA_ONLY.fullmatch(word)}
    assert len(katakana) >= 300
    assert words - katakana == {word for word in words if LATIN_WORD.fullmatch(word)}


def test_no_word_is_both_hard_and_allowed() -> None:
    hard = {lookup_key(word) for word in builtin_loanwords()}
    allowed = {lookup_key(word) for word in builtin_allowlist()}
    assert hard & allowed == set()


@pytest.mark.parametrize(
    "word", ["ツール", "インフラ", "バリアフリー", "サービス", "ボランティア", "センター"]
)
def test_everyday_words_named_by_the_committee_are_allowed(word: str) -> None:
    assert word in builtin_allowlist()


def test_abbreviations_are_latin_words_with_explanations() -> None:
    for abbreviation, explanation in builtin_abbreviations().items():
        assert LATIN_WORD.fullmatch(abbreviation)
        assert explanation.strip()
    assert set(builtin_abbreviations()) & builtin_allowlist() == set()


def test_shipped_expressions_and_phrases_load() -> None:
    assert builtin_expressions()
    for name in ("double_negatives.yaml", "redundant.yaml"):
        for item in phrase_data(name):
            re.compile(item["pattern"])
            if "unless_before" in item:
                re.compile(item["unless_before"])
