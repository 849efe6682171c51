"""Japanese text folding and readings for matching."""

from __future__ import annotations

import pytest

from sasaeai.core.textnorm import fold, reading


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("さろん", "さろん"),
        ("サロン", "さろん"),
        ("ｻﾛﾝ", "さろん"),
        ("ﾃﾞｲｻｰﾋﾞｽ", "でいさーびす"),
        ("デイサービス", "でいさーびす"),
        ("デイ・サービス", "でいさーびす"),
        ("デイ　サービス", "でいさーびす"),
        ("サ－ビス", "さーびす"),  # full-width hyphen-minus typed for ー
        ("サ〜ビス", "さーびす"),
        ("子ども・子育て", "子ども子育て"),
        ("ＡＥＤ設置場所", "aed設置場所"),
        ("㈱かまくら", "(株)かまくら"),
        ("（架空）", "(架空)"),
        ("1-2-3", "1-2-3"),  # a dash between digits is not a long vowel mark
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_makes_the_spellings_equal() -> None:
    assert fold("さろん") == fold("サロン") == fold("ｻﾛﾝ")
    assert fold("ﾃﾞｲｻｰﾋﾞｽ") == fold("デイサービス")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("訪問看護", "ほうもんかんご"),
        ("子ども食堂", "こどもしょくどう"),
        ("腰越", "こしごえ"),
        # A dictionary reading: the place is おおふな. Data should carry its own 名称_カナ.
        ("大船", "おおぶね"),
        ("デイサービス", "でいさーびす"),
        ("鎌倉市腰越3丁目", "かまくらしこしごえ3ちょうめ"),
        ("ABC 訪問", "ABC ほうもん"),
        ("", ""),
    ],
)
def test_reading(text: str, expected: str) -> None:
    assert reading(text) == expected


def test_reading_of_unknown_words_keeps_the_text() -> None:
    assert reading("ｱｲｳ") == "あいう"
    assert reading("Sasaeai") == "Sasaeai"


def test_reading_with_known_place_names() -> None:
    known = {
        "大船": "おおふな",
        "七里ガ浜": "しちりがはま",
        "七里ガ浜東": "シチリガハマヒガシ",
        "台": "だい",
    }
    # UniDic reads these as elsewhere in Japan
    assert reading("訪問看護ステーション大船") == "ほうもんかんごすてーしょんおおぶね"
    assert reading("七里ガ浜東自治会") == "ななりがはまひがしじちかい"
    # the municipality's own readings win, the longest name first, katakana made hiragana
    assert reading("訪問看護ステーション大船", known) == "ほうもんかんごすてーしょんおおふな"
    assert reading("七里ガ浜東自治会", known) == "しちりがはまひがしじちかい"
    assert reading("ｻﾛﾝ　大船", known) == "さろん おおふな"
    # one-character names are ignored (台 is in 舞台)
    assert reading("舞台の会", known) == "ぶたいのかい"
    assert reading("大船", {}) == "おおぶね"
