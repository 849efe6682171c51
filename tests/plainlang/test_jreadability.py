"""jReadability: the formula, the level labels, and per-paragraph scores.

Expected scores are computed by hand from UniDic's analysis of each sentence:

私は学校に行きます。 → 私/は/学校/に/行き/ます/。 — 7 words, 1 sentence;
  漢語 1 (学校), 和語 5 (私 は に 行き ます), 動詞 1 (行き), 助詞 2 (は に).
  X = 7×−0.056 + 100/7×−0.126 + 500/7×−0.042 + 100/7×−0.145 + 200/7×−0.044 + 11.724
    = −0.392 − 1.8 − 3.0 − 2.0714 − 1.2571 + 11.724 = 3.2034 → 3.20 中級後半

本市は地域福祉計画を策定した。 → 本/市/は/地域/福祉/計画/を/策定/し/た/。 — 11 words;
  漢語 6, 和語 4 (は を し た), 動詞 1 (し), 助詞 2 (は を).
  X = 11×−0.056 + 600/11×−0.126 + 400/11×−0.042 + 100/11×−0.145 + 200/11×−0.044 + 11.724
    = −0.616 − 6.8727 − 1.5273 − 1.3182 − 0.8 + 11.724 = 0.5898 → 0.59 上級後半

Both as one text: 18 words, 2 sentences; 漢語 7, 和語 9, 動詞 2, 助詞 4.
  X = 9×−0.056 + 700/18×−0.126 + 50×−0.042 + 200/18×−0.145 + 400/18×−0.044 + 11.724
    = −0.504 − 4.9 − 2.1 − 1.6111 − 0.9778 + 11.724 = 1.6311 → 1.63 上級前半
"""

from __future__ import annotations

import pytest

from sasaeai.plainlang.engine import Readability, check
from sasaeai.plainlang.engine.readability import level

EASY = "私は学校に行きます。"
HARD = "本市は地域福祉計画を策定した。"


def test_one_sentence() -> None:
    assert check(EASY).readability == Readability(3.20, "中級後半")
    assert check(HARD).readability == Readability(0.59, "上級後半")


def test_two_sentences_pool_their_words() -> None:
    assert check(EASY + HARD).readability == Readability(1.63, "上級前半")


def test_whitespace_is_not_a_word() -> None:
    assert check("私は　学校に  行きます。").readability == Readability(3.20, "中級後半")


def test_each_paragraph_has_its_own_score() -> None:
    report = check(f"{EASY}\n\n{HARD}")
    assert [(p.line, p.offset, p.readability) for p in report.paragraphs] == [
        (1, 0, Readability(3.20, "中級後半")),
        (3, 12, Readability(0.59, "上級後半")),
    ]
    assert report.readability == Readability(1.63, "上級前半")


def test_empty_text_has_no_score() -> None:
    report = check(" \n\n")
    assert report.readability is None
    assert report.paragraphs == ()


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (-2.0, "上級後半"),
        (0.5, "上級後半"),
        (1.49, "上級後半"),
        (1.5, "上級前半"),
        (2.4, "上級前半"),
        (2.5, "中級後半"),
        (3.5, "中級前半"),
        (4.5, "初級後半"),
        (5.49, "初級後半"),
        (5.5, "初級前半"),
        (6.4, "初級前半"),
        (9.0, "初級前半"),
    ],
)
def test_levels_and_clamping(score: float, label: str) -> None:
    assert level(score) == label
