"""Accuracy over the labelled corpus in ``corpus/``, with the floors the project promises.

The corpus and its labels are described in ``corpus/README.md``; the scoring is
``sasaeai.plainlang.engine.accuracy``, which ``bench/bench_plainlang.py`` reuses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sasaeai.plainlang.engine.accuracy import Item, Label, Score, evaluate, load_corpus

CORPUS = Path(__file__).parent / "corpus"
FLOOR = 0.9


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    items, config = load_corpus(CORPUS)
    assert len(items) >= 300, "the corpus should hold at least 300 labelled sentences"
    return evaluate(items, config)


def explain(score: Score) -> str:
    return "\n".join(score.misses)


def test_loanword_precision_at_warning_or_error(scores: dict[str, Score]) -> None:
    score = scores["loanword:warning+"]
    assert score.precision >= FLOOR, explain(score)


def test_glossary_recall(scores: dict[str, Score]) -> None:
    score = scores["loanword:error"]
    assert score.recall >= FLOOR, explain(score)


def test_expression_recall(scores: dict[str, Score]) -> None:
    score = scores["expression"]
    assert score.recall >= FLOOR, explain(score)


@pytest.mark.parametrize(
    "rule", ["abbreviation", "double-negative", "redundant", "sentence-length", "comma-count"]
)
def test_other_rules_stay_accurate(scores: dict[str, Score], rule: str) -> None:
    score = scores[rule]
    assert score.precision >= FLOOR, explain(score)
    assert score.recall >= FLOOR, explain(score)


# -------------------------------------------------------------- scoring semantics


def item(text: str, expect: tuple[Label, ...] = (), reject: tuple[Label, ...] = ()) -> Item:
    return Item("t-1", text, expect, reject)


def test_loanword_labels_match_whole_terms_only() -> None:
    scores = evaluate([item("ボランティアセンター", reject=(Label("loanword", "センター"),))])
    assert scores["loanword"].false_positives == 0
    scores = evaluate([item("アウトリーチ", expect=(Label("loanword", "アウトリー"),))])
    assert scores["loanword"].false_negatives == 1


def test_loanword_reject_allows_info_unless_it_says_info() -> None:
    text = "フィンテックを学ぶ。"
    loose = evaluate([item(text, reject=(Label("loanword", "フィンテック"),))])
    strict = evaluate([item(text, reject=(Label("loanword", "フィンテック", "info"),))])
    assert loose["loanword"].false_positives == 0
    assert strict["loanword"].false_positives == 1


def test_phrase_labels_match_by_containment_and_star_matches_any() -> None:
    scores = evaluate(
        [
            item(
                "事業が完了した。一、二、三、四、五。",
                expect=(Label("expression", "完了し"), Label("comma-count", "*")),
            )
        ]
    )
    assert scores["expression"].recall == scores["comma-count"].recall == 1.0


def test_warning_plus_accepts_errors_and_warnings_only() -> None:
    hard = Label("loanword", "アウトリーチ", "warning+")
    unlisted = Label("loanword", "フィンテック", "warning+")
    scores = evaluate(
        [item("アウトリーチ", expect=(hard,)), item("フィンテック", expect=(unlisted,))]
    )
    score = scores["loanword:warning+"]
    assert (score.true_positives, score.false_negatives) == (1, 1)
