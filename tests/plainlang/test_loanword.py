"""The loanword rule: katakana terms, the severity ladder, explanations."""

from __future__ import annotations

import pytest

from sasaeai.plainlang.engine import Config, GlossaryEntry, RuleSettings, Severity
from tests.plainlang.helpers import brief, findings

GLOSSARY = Config(glossary=(GlossaryEntry("プラットフォーム", "基盤", note="委員会で決定"),))


def test_hard_word_is_a_warning_with_its_paraphrase() -> None:
    found = findings("本市ではアウトリーチを進める。", "loanword")
    assert brief(found) == [("アウトリーチ", "warning", 4, 6, 1, 5, "訪問による支援")]
    assert found[0].message == (
        "「アウトリーチ」は分かりにくいカタカナ語です。"
        "「訪問による支援」などに言い換えるか、初出で説明を添えてください。"
    )


def test_committee_examples_are_warnings() -> None:
    found = findings("アウトリーチとプラットフォームの整備", "loanword")
    assert brief(found) == [
        ("アウトリーチ", "warning", 0, 6, 1, 1, "訪問による支援"),
        ("プラットフォーム", "warning", 7, 8, 1, 8, "基盤・場"),
    ]


def test_glossary_term_is_an_error_with_the_municipalitys_paraphrase() -> None:
    found = findings("地域のプラットフォームをつくる。", "loanword", GLOSSARY)
    assert brief(found) == [("プラットフォーム", "error", 3, 8, 1, 4, "基盤")]
    assert found[0].message == (
        "「プラットフォーム」は用語集で言い換えることになっている語です。"
        "「基盤」と書いてください。（委員会で決定）"
    )


def test_katakana_joined_by_nakaguro_is_one_term() -> None:
    found = findings("ケア・マネジメントの研修", "loanword")
    assert brief(found) == [("ケア・マネジメント", "warning", 0, 9, 1, 1, "介護の計画づくりと調整")]


def test_listed_words_joined_by_nakaguro_are_flagged_one_by_one() -> None:
    found = findings("アセスメント・モニタリングを行う。", "loanword")
    assert brief(found) == [
        ("アセスメント", "warning", 0, 6, 1, 1, "課題の把握と評価"),
        ("モニタリング", "warning", 7, 6, 1, 8, "見守りと点検"),
    ]


def test_listed_word_at_the_start_of_a_compound_is_flagged_alone() -> None:
    found = findings("アウトリーチチームを置く。", "loanword")
    assert brief(found) == [("アウトリーチ", "warning", 0, 6, 1, 1, "訪問による支援")]


def test_whole_compound_on_the_list_wins_over_its_parts() -> None:
    found = findings("ソーシャルワーカーに相談する。", "loanword")
    assert brief(found) == [("ソーシャルワーカー", "warning", 0, 9, 1, 1, "相談支援の専門職")]


@pytest.mark.parametrize(
    "text",
    [
        "ツール、インフラ、バリアフリー、サービス、ボランティア、センターを使う。",
        "ボランティアセンターとデイサービスとホームページ",
        "ヤマダ電機とトヨタに協力を求めた。",  # proper nouns (固有名詞)
        "ゴミの出し方とケガの予防",  # native words written in katakana
    ],
)
def test_everyday_words_proper_nouns_and_native_words_are_not_flagged(text: str) -> None:
    assert findings(text, "loanword") == []


def test_unlisted_loanword_is_info_without_suggestion() -> None:
    found = findings("フィンテックを学ぶ。", "loanword")
    assert brief(found) == [("フィンテック", "info", 0, 6, 1, 1, None)]
    assert found[0].message == (
        "「フィンテック」はなじみの薄いカタカナ語かもしれません。"
        "言い換えるか、初出で説明を添えてください。"
    )


def test_unlisted_compound_of_allowed_and_unknown_words_is_info_on_the_whole_term() -> None:
    found = findings("フードバンクに届けた。", "loanword")
    assert brief(found) == [("フードバンク", "info", 0, 6, 1, 1, None)]


def test_explanation_after_first_use_quiets_it_and_later_uses() -> None:
    text = "アウトリーチ（訪問による支援）を始めた。アウトリーチの担当は2人。"
    assert findings(text, "loanword") == []


def test_half_width_parentheses_also_explain() -> None:
    assert findings("アウトリーチ(訪問支援)を始めた。アウトリーチを続ける。", "loanword") == []


def test_term_in_parentheses_after_its_explanation_counts_as_explained() -> None:
    assert (
        findings("訪問による支援（アウトリーチ）を始めた。アウトリーチを続ける。", "loanword") == []
    )


def test_explanation_only_on_a_later_use_leaves_the_first_use_flagged() -> None:
    text = "アウトリーチを始めた。アウトリーチ（訪問による支援）は好評で、アウトリーチを続ける。"
    assert brief(findings(text, "loanword")) == [
        ("アウトリーチ", "warning", 0, 6, 1, 1, "訪問による支援")
    ]


def test_explained_word_stays_explained_inside_compounds() -> None:
    text = "アウトリーチ（訪問による支援）を始めた。アウトリーチチームを置く。"
    assert findings(text, "loanword") == []


def test_every_unexplained_use_is_flagged() -> None:
    found = findings("レスパイトの場。\nレスパイトの日。", "loanword")
    assert [(f.offset, f.line, f.column) for f in found] == [(0, 1, 1), (9, 2, 1)]


def test_half_width_katakana_and_spelling_variants_match_the_list() -> None:
    found = findings("ｱｳﾄﾘｰﾁとコーディネータ", "loanword")
    assert brief(found) == [
        ("ｱｳﾄﾘｰﾁ", "warning", 0, 6, 1, 1, "訪問による支援"),
        ("コーディネータ", "warning", 7, 7, 1, 8, "調整役"),
    ]


def test_municipal_allowlist_overrides_the_built_in_list() -> None:
    assert (
        findings("アセスメントを行う。", "loanword", Config(allowlist=frozenset({"アセスメント"})))
        == []
    )


def test_counters_and_lone_prolonged_marks_are_not_terms() -> None:
    assert findings("3ヶ月のあいだ、すごーく待った。", "loanword") == []


def test_severity_override_applies_to_every_finding_of_the_rule() -> None:
    config = Config(rules={"loanword": RuleSettings(severity=Severity.INFO)})
    assert [f.severity for f in findings("アウトリーチ", "loanword", config)] == [Severity.INFO]


def test_disabled_rule_finds_nothing() -> None:
    config = Config(rules={"loanword": RuleSettings(enabled=False)})
    assert findings("アウトリーチ", "loanword", config) == []
