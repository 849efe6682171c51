"""The abbreviation rule: first use of Latin abbreviations without an explanation."""

from __future__ import annotations

import pytest

from sasaeai.plainlang.engine import Config, GlossaryEntry
from tests.plainlang.helpers import brief, findings


def test_known_abbreviation_gets_an_explained_form_as_suggestion() -> None:
    found = findings("SNSで発信する。", "abbreviation")
    assert brief(found) == [("SNS", "warning", 0, 3, 1, 1, "交流サイト（SNS）")]
    assert found[0].message == (
        "「SNS」は略語です。初めて使うところで「交流サイト（SNS）」のように説明を添えてください。"
    )


def test_full_width_letters_match_and_keep_their_original_text() -> None:
    found = findings("ＳＮＳで発信する。", "abbreviation")
    assert brief(found) == [("ＳＮＳ", "warning", 0, 3, 1, 1, "交流サイト（ＳＮＳ）")]


def test_unknown_abbreviation_is_flagged_once_without_suggestion() -> None:
    found = findings("XYZを使う。XYZを使う。", "abbreviation")
    assert brief(found) == [("XYZ", "warning", 0, 3, 1, 1, None)]


def test_full_and_half_width_forms_count_as_the_same_abbreviation() -> None:
    found = findings("ＤＸを進める。DXは大切。", "abbreviation")
    assert [f.text for f in found] == ["ＤＸ"]


def test_offsets_after_blank_lines() -> None:
    found = findings("はじめに\n\nＤＸを進める。", "abbreviation")
    assert brief(found) == [("ＤＸ", "warning", 6, 2, 3, 1, "デジタル技術による変革（ＤＸ）")]


@pytest.mark.parametrize(
    "text",
    [
        "SNS（交流サイト）で発信。SNSを使う。",
        "交流サイト（SNS）で発信。SNSを使う。",
        "ICT(情報通信技術)を使う。",
        "NPO法人（特定非営利活動法人）と連携する。",
        "交流サイト（略称：SNS）で発信する。",
    ],
)
def test_explained_first_use_is_not_flagged(text: str) -> None:
    assert findings(text, "abbreviation") == []


@pytest.mark.parametrize(
    "text",
    [
        "PDFとURLとTEL、QRコードで申し込む。",  # allowed abbreviations
        "A型の事業所",  # one capital letter
        "第II期計画",  # a Roman numeral
        "https://www.example.jp/NPO/index.html を見る。",  # part of a URL
    ],
)
def test_allowed_and_non_abbreviations_are_not_flagged(text: str) -> None:
    assert findings(text, "abbreviation") == []


def test_explanation_only_on_a_later_use_leaves_the_first_flagged() -> None:
    found = findings("SDGsを学ぶ。SDGs（持続可能な開発目標）とは何か。", "abbreviation")
    assert brief(found) == [("SDGs", "warning", 0, 4, 1, 1, "持続可能な開発目標（SDGs）")]


def test_glossary_abbreviation_is_an_error() -> None:
    config = Config(glossary=(GlossaryEntry("DX", "デジタル化"),))
    assert brief(findings("DXを進める。", "abbreviation", config)) == [
        ("DX", "error", 0, 2, 1, 1, "デジタル化")
    ]


def test_municipal_allowlist_accepts_abbreviations() -> None:
    assert findings("SNSで発信する。", "abbreviation", Config(allowlist=frozenset({"SNS"}))) == []
